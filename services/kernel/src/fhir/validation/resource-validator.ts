// Validates incoming resources against FHIR R4 and our profiles. Loaded once at start (about a
// second: the R4 definitions, SUSHI's output, the value sets that required bindings name), then
// validate() costs tens of microseconds for a typical resource.
import type { InternalTypeSchema, TypedValue } from '@medplum/core';
import { getDataType, isResourceType, OperationOutcomeError, validateTypedValue } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { FhirError, type IssueDetail, type IssueType } from '../../errors/index.ts';
import { checkRequiredBinding } from './binding-check.ts';
import { baseTerminology, defaultProfilesDir, loadBaseDefinitions, loadProjectDefinitions } from './definitions.ts';
import { checkExtensions, type ExtensionContext } from './extension-check.ts';
import { compileExtensionRule, type ExtensionRule } from './extension-rules.ts';
import { registerProfile, type ProfileTarget } from './profile-schemas.ts';
import { checkStructure, type StructureContext } from './structure-check.ts';
import { Terminology } from './terminology.ts';

export const OWN_CANONICAL = 'https://ndi-mesh.se/fhir';

export interface ResourceValidatorOptions {
  /** SUSHI's output folder. Default: fhir-profiles/fsh-generated/resources of this repository. */
  readonly profilesDir?: string;
  /** Value sets to expand at start besides those of required bindings and our own, for valueSetContains. */
  readonly valueSets?: readonly string[];
}

const ISSUE_TYPES = new Set<string>(['invalid', 'structure', 'required', 'value', 'invariant', 'code-invalid', 'extension', 'business-rule', 'too-long']);

type Json = Record<string, unknown>;

function fromMedplum(issue: OperationOutcomeIssue): IssueDetail {
  const expression = issue.expression?.[0];
  const text = issue.details?.text ?? issue.diagnostics ?? 'invalid';
  const type = (ISSUE_TYPES.has(issue.code) ? issue.code : 'invalid') as IssueType;
  return { diagnostics: expression ? `${expression}: ${text}` : text, type, ...(expression ? { expression } : {}) };
}

/** Medplum reports these as warnings only "to avoid breaking existing code"; in FHIR they are errors. */
function isPromotedWarning(issue: OperationOutcomeIssue): boolean {
  const text = issue.details?.text ?? '';
  return issue.severity === 'warning' && issue.code === 'structure' && !text.startsWith('Invalid reference');
}

function dedupe(issues: IssueDetail[]): IssueDetail[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.expression ?? ''}\0${i.diagnostics}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class ResourceValidator {
  private readonly profiles: ReadonlyMap<string, ProfileTarget>;
  private readonly terminology: Terminology;
  private readonly extensions: ExtensionContext;
  private readonly structure: StructureContext;

  private constructor(profiles: Map<string, ProfileTarget>, terminology: Terminology, rules: Map<string, ExtensionRule>) {
    this.profiles = profiles;
    this.terminology = terminology;
    this.extensions = { rules, ownNamespace: `${OWN_CANONICAL}/StructureDefinition/`, terminology };
    this.structure = {
      terminology,
      profileTypes: new Map([...profiles.values()].map((p) => [p.url, p.resourceType])),
    };
  }

  /** Reads every definition and expands the value sets. Call once at start; see loadResourceValidator. */
  static load(options: ResourceValidatorOptions = {}): ResourceValidator {
    const profilesDir = options.profilesDir ?? defaultProfilesDir;
    const project = loadProjectDefinitions(profilesDir);
    const toExpand = loadBaseDefinitions(profilesDir);
    for (const url of project.valueSetsToExpand) toExpand.add(url);
    for (const url of options.valueSets ?? []) toExpand.add(url);
    // The R4 terminology bundles are large: only the expansions are kept, not the bundles.
    const terminology = new Terminology([...baseTerminology(profilesDir), ...project.terminology], toExpand);

    const profiles = new Map<string, ProfileTarget>();
    const rules = new Map<string, ExtensionRule>();
    for (const sd of project.structureDefinitions) {
      if (sd.type === 'Extension' && sd.derivation === 'constraint') {
        rules.set(sd.url, compileExtensionRule(sd, isResourceType));
      } else if (sd.kind === 'resource' && sd.derivation === 'constraint' && !sd.abstract) {
        profiles.set(sd.url, registerProfile(sd));
      }
    }
    return new ResourceValidator(profiles, terminology, rules);
  }

  /** The urls of our resource profiles. */
  profileUrls(): string[] {
    return [...this.profiles.keys()];
  }

  hasProfile(url: string): boolean {
    return this.profiles.has(url);
  }

  /**
   * Validates `resource` against FHIR R4, against `profileUrl` when given, and against every profile
   * of ours that its meta.profile names (others are ignored, as FHIR allows). Throws
   * FhirError('MESH-FHIR-008') with one issue per problem.
   */
  validate(resource: Resource | Json, profileUrl?: string): void {
    const issues = this.check(resource, profileUrl);
    if (issues.length > 0) throw new FhirError('MESH-FHIR-008', issues);
  }

  /** What validate() would refuse, as a list (empty when the resource is valid). */
  check(resource: Resource | Json | unknown, profileUrl?: string): IssueDetail[] {
    if (profileUrl !== undefined && !this.profiles.has(profileUrl)) {
      // The caller is our own code: naming a profile we do not have is a bug, not bad input.
      throw new Error(`Unknown profile ${profileUrl}: is it defined in fhir-profiles/ and was \`npm run profiles\` run?`);
    }
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
      return [{ type: 'structure', diagnostics: 'The body is not a FHIR resource (a JSON object)' }];
    }
    const json = resource as Json;
    const type = json.resourceType;
    if (typeof type !== 'string') {
      return [{ type: 'structure', diagnostics: 'The resource has no resourceType' }];
    }
    if (!isResourceType(type)) {
      return [{ type: 'structure', diagnostics: `'${type}' is not a FHIR R4 resource type` }];
    }

    const issues: IssueDetail[] = [];
    const targets: ProfileTarget[] = [];
    const claimed = (json.meta as { profile?: unknown } | undefined)?.profile;
    const urls: { url: string; expression?: string }[] = profileUrl ? [{ url: profileUrl }] : [];
    if (Array.isArray(claimed)) {
      claimed.forEach((url, i) => {
        if (typeof url === 'string' && this.profiles.has(url)) urls.push({ url, expression: `${type}.meta.profile[${i}]` });
      });
    }
    for (const { url, expression } of urls) {
      const target = this.profiles.get(url);
      if (!target || targets.includes(target)) continue;
      if (target.resourceType !== type) {
        issues.push({
          type: 'invalid',
          ...(expression ? { expression } : {}),
          diagnostics: `${expression ?? type}: ${url} is a profile of ${target.resourceType}, not of ${type}`,
        });
        continue;
      }
      targets.push(target);
    }

    if (targets.length === 0) {
      issues.push(...this.pass(json, type, getDataType(type)));
    }
    for (const target of targets) {
      issues.push(...this.pass(json, target.typeKey, target.schema, target.fallbackProfile));
    }
    issues.push(...checkExtensions(json, this.extensions));
    return dedupe(issues);
  }

  /** Whether the value set holds the code (any system of the value set when `system` is undefined). */
  valueSetContains(url: string, system: string | undefined, code: string): boolean {
    const inSet = this.terminology.contains(url, system, code);
    if (inSet === undefined) {
      const reason = this.terminology.unexpandable().get(url.split('|')[0] ?? url) ?? 'it is not known here';
      throw new Error(`The value set ${url} cannot be checked here: ${reason}`);
    }
    return inSet;
  }

  /** The codes of a value set, by code system; undefined when it cannot be expanded here. */
  valueSetCodes(url: string): ReadonlyMap<string, ReadonlySet<string>> | undefined {
    return this.terminology.codes(url);
  }

  /** Value sets named by required bindings that cannot be expanded here, with why: those bindings go unchecked. */
  uncheckedValueSets(): ReadonlyMap<string, string> {
    return this.terminology.unexpandable();
  }

  private pass(resource: Json, typeKey: string, schema: InternalTypeSchema, profile?: ProfileTarget['fallbackProfile']): IssueDetail[] {
    const issues: IssueDetail[] = [];
    const root: TypedValue = { type: typeKey, value: resource };
    const collect = { tokens: {} as Record<string, (TypedValue & { path: string })[]> };
    try {
      const warnings = validateTypedValue(root, { collect, ...(profile ? { profile } : {}) });
      issues.push(...warnings.filter(isPromotedWarning).map(fromMedplum));
    } catch (e) {
      if (!(e instanceof OperationOutcomeError)) return [this.unreadable(resource, e)];
      for (const issue of e.outcome.issue ?? []) {
        if (issue.severity === 'error' || isPromotedWarning(issue)) issues.push(fromMedplum(issue));
      }
    }
    for (const [url, values] of Object.entries(collect.tokens)) {
      for (const value of values) {
        const issue = checkRequiredBinding(this.terminology, url, value, value.path);
        if (issue) issues.push(issue);
      }
    }
    try {
      issues.push(...checkStructure(root, schema, this.structure));
    } catch (e) {
      // The walk trips over malformed input (a null, a string for an object) that has been reported
      // already; only unexplained failures become an issue of their own.
      if (issues.length === 0) issues.push(this.unreadable(resource, e));
    }
    return issues;
  }

  /** Input so malformed that @medplum/core's walk failed on it: still the client's error, not ours. */
  private unreadable(resource: Json, e: unknown): IssueDetail {
    const type = String(resource.resourceType);
    return { type: 'structure', diagnostics: `${type}: the resource cannot be read as a FHIR ${type} (${(e as Error).message})` };
  }
}

let shared: ResourceValidator | undefined;

/** The process's validator, loaded on first call (the options of that first call apply). */
export function loadResourceValidator(options?: ResourceValidatorOptions): ResourceValidator {
  shared ??= ResourceValidator.load(options);
  return shared;
}

/** The name the kernel's service builder uses. */
export const loadValidator = (): ResourceValidator => loadResourceValidator();

/** Whether a value set holds a code, for services checking their own coded parameters. */
export function valueSetContains(url: string, system: string | undefined, code: string): boolean {
  return loadResourceValidator().valueSetContains(url, system, code);
}
