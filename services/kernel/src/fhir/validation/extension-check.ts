// Finds every extension in a resource (on elements, on primitive values through `_name`, in contained
// resources) and checks the ones we define against their definitions. Extensions defined elsewhere
// pass, as FHIR allows; a url in our own namespace that names no definition is a mistake, refused.
import type { IssueDetail } from '../../errors/index.ts';
import { checkRequiredBinding } from './binding-check.ts';
import type { ExtensionRule } from './extension-rules.ts';
import type { Terminology } from './terminology.ts';

export interface ExtensionContext {
  readonly rules: ReadonlyMap<string, ExtensionRule>;
  /** e.g. `https://ndi-mesh.se/fhir/StructureDefinition/`. */
  readonly ownNamespace: string;
  readonly terminology: Terminology;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkOne(ext: Json, rule: ExtensionRule, path: string, ctx: ExtensionContext, issues: IssueDetail[]): void {
  const valueKeys = Object.keys(ext).filter((k) => k.startsWith('value'));
  const children = Array.isArray(ext.extension) ? (ext.extension as unknown[]).filter(isObject) : [];

  if (valueKeys.length > 1) {
    issues.push({ expression: path, type: 'structure', diagnostics: `${path}: an extension has one value, found ${valueKeys.join(', ')}` });
  }
  const valueKey = valueKeys[0];
  if (valueKey !== undefined) {
    if (!rule.value) {
      issues.push({
        expression: `${path}.${valueKey}`,
        type: 'structure',
        diagnostics: `${path}: the extension ${rule.label} takes no value (it holds sub-extensions), found ${valueKey}`,
      });
    } else if (!rule.value.properties.has(valueKey)) {
      issues.push({
        expression: `${path}.${valueKey}`,
        type: 'structure',
        diagnostics: `${path}: the extension ${rule.label} takes ${[...rule.value.properties.keys()].join(' or ')}, found ${valueKey}`,
      });
    } else if (rule.value.requiredValueSet) {
      const type = rule.value.properties.get(valueKey) ?? '';
      const issue = checkRequiredBinding(ctx.terminology, rule.value.requiredValueSet, { type, value: ext[valueKey] }, `${path}.${valueKey}`);
      if (issue) issues.push(issue);
    }
  } else if (rule.value && rule.value.min > 0) {
    issues.push({
      expression: path,
      type: 'required',
      diagnostics: `${path}: the extension ${rule.label} needs a value (${[...rule.value.properties.keys()].join(' or ')})`,
    });
  }

  if (!rule.allowsChildren && children.length > 0) {
    issues.push({ expression: `${path}.extension`, type: 'structure', diagnostics: `${path}: the extension ${rule.label} takes no sub-extensions` });
    return;
  }
  const counts = new Map<string, number>();
  children.forEach((child, i) => {
    const childPath = `${path}.extension[${i}]`;
    const url = child.url;
    if (typeof url !== 'string') return;
    const childRule = rule.children.get(url);
    if (childRule) {
      counts.set(url, (counts.get(url) ?? 0) + 1);
      checkOne(child, childRule, childPath, ctx, issues);
    } else if (rule.closed || !url.includes(':')) {
      // A relative url means "a part of this extension": one it does not define is a typo.
      issues.push({
        expression: childPath,
        type: 'extension',
        diagnostics: `${childPath}: '${url}' is not a part of the extension ${rule.label} (it has ${[...rule.children.keys()].join(', ') || 'none'})`,
      });
    }
  });
  for (const [url, childRule] of rule.children) {
    const n = counts.get(url) ?? 0;
    if (n < childRule.min || n > childRule.max) {
      const max = Number.isFinite(childRule.max) ? childRule.max : '*';
      issues.push({
        expression: path,
        type: n < childRule.min ? 'required' : 'structure',
        diagnostics: `${path}: the extension ${rule.label} needs ${childRule.min}..${max} '${url}', found ${n}`,
      });
    }
  }
}

function walk(node: unknown, path: string, element: string, ctx: ExtensionContext, issues: IssueDetail[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, element, ctx, issues));
    return;
  }
  if (!isObject(node)) return;
  // A contained or bundled resource starts its own element paths.
  if (typeof node.resourceType === 'string') element = node.resourceType;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'extension' || key === 'modifierExtension') && Array.isArray(value)) {
      value.forEach((ext, i) => {
        const extPath = `${path}.${key}[${i}]`;
        if (!isObject(ext) || typeof ext.url !== 'string') return;
        const rule = ctx.rules.get(ext.url);
        if (!rule) {
          if (ext.url.startsWith(ctx.ownNamespace)) {
            issues.push({ expression: extPath, type: 'extension', diagnostics: `${extPath}: ${ext.url} is not an extension that ndi-mesh defines` });
          } else {
            walk(ext, extPath, 'Extension', ctx, issues);
          }
          return;
        }
        if (rule.isModifier !== (key === 'modifierExtension')) {
          issues.push({
            expression: extPath,
            type: 'extension',
            diagnostics: `${extPath}: ${ext.url} ${rule.isModifier ? 'is' : 'is not'} a modifier extension and belongs in ${rule.isModifier ? 'modifierExtension' : 'extension'}`,
          });
        }
        if (rule.contexts && !rule.contexts.has(element)) {
          issues.push({
            expression: extPath,
            type: 'extension',
            diagnostics: `${extPath}: ${ext.url} may be used on ${[...rule.contexts].join(', ')} only, not on ${element}`,
          });
        }
        checkOne(ext, rule, extPath, ctx, issues);
      });
      continue;
    }
    const name = key.startsWith('_') ? key.slice(1) : key;
    if (typeof value === 'object' && value !== null) walk(value, `${path}.${name}`, `${element}.${name}`, ctx, issues);
  }
}

export function checkExtensions(resource: Json, ctx: ExtensionContext): IssueDetail[] {
  const issues: IssueDetail[] = [];
  walk(resource, String(resource.resourceType), String(resource.resourceType), ctx, issues);
  return issues;
}
