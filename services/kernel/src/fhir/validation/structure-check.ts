// The structural rules that @medplum/core's validateResource passes over, checked in one more walk
// over the resource with its own crawler:
//  - a complex element given as a string, number or boolean (Medplum accepts `"name": "x"` for a
//    CodeableConcept and walks on as if it were an empty object);
//  - what a profile says inside a slice (Medplum counts the values of each slice but walks them as
//    the base type: the HSA-id slice's `value 1..1` would go unchecked);
//  - the target type of a Reference (Medplum only warns, and not for our profiles' targets).
import type { InternalSchemaElement, InternalTypeSchema, SliceDefinition, TypedValue, TypedValueWithPath } from '@medplum/core';
import {
  arrayify,
  crawlTypedValue,
  deepEquals,
  deepIncludes,
  getElementDefinitionFromElements,
  getNestedProperty,
  isPrimitiveType,
  isResourceType,
  matchDiscriminant,
} from '@medplum/core';
import type { IssueDetail } from '../../errors/index.ts';
import { checkRequiredBinding } from './binding-check.ts';
import type { Terminology } from './terminology.ts';

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

export interface StructureContext {
  readonly terminology: Terminology;
  /** The resource type each of our profiles constrains, by profile url. */
  readonly profileTypes: ReadonlyMap<string, string>;
}

function flatten(values: (TypedValue | TypedValue[] | undefined)[]): TypedValue[] {
  const out: TypedValue[] = [];
  for (const v of values) {
    for (const one of arrayify(v) ?? []) if (one && one.value !== undefined) out.push(one);
  }
  return out;
}

function sliceOf(value: TypedValue, element: InternalSchemaElement): SliceDefinition | undefined {
  const slicing = element.slicing;
  if (!slicing) return undefined;
  // The same test as @medplum/core uses to count slice members, so that both agree on membership.
  return slicing.slices.find((slice) =>
    slicing.discriminator.every((d) => arrayify(getNestedProperty(value, d.path))?.some((v) => matchDiscriminant(v, d, slice))),
  );
}

/** The resource type a literal or conditional reference points to, when it says so. */
export function referencedType(reference: string): string | undefined {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const query = reference.indexOf('?');
  if (query !== -1) {
    const type = reference.slice(0, query);
    return isResourceType(type) ? type : undefined;
  }
  const parts = reference.replace(/\/_history\/[^/]+$/, '').split('/');
  const type = parts.at(-2);
  return type && isResourceType(type) ? type : undefined;
}

function allowedTargets(element: InternalSchemaElement, ctx: StructureContext): Set<string> | undefined {
  const targets = element.type.find((t) => t.code === 'Reference')?.targetProfile;
  if (!targets?.length) return undefined;
  const types = new Set<string>();
  for (const target of targets) {
    const type = target.startsWith(HL7_SD) ? target.slice(HL7_SD.length) : ctx.profileTypes.get(target);
    // A target we do not know (another guide's profile) or any resource at all: nothing to check.
    if (!type || type === 'Resource' || type === 'DomainResource') return undefined;
    types.add(type);
  }
  return types;
}

class StructureVisitor {
  readonly issues: IssueDetail[] = [];
  private readonly ctx: StructureContext;

  constructor(ctx: StructureContext) {
    this.ctx = ctx;
  }

  visitProperty(
    _parent: TypedValueWithPath,
    key: string,
    _path: string,
    propertyValues: (TypedValueWithPath | TypedValueWithPath[])[],
    schema: InternalTypeSchema,
  ): void {
    const element = getElementDefinitionFromElements(schema.elements, key);
    if (!element) return;
    for (const propertyValue of propertyValues) {
      for (const value of arrayify(propertyValue) ?? []) {
        if (value.value === undefined) continue;
        this.checkValue(value, element);
      }
    }
  }

  private checkValue(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const raw = value.value as unknown;
    if (!isPrimitiveType(value.type) && (raw === null || typeof raw !== 'object')) {
      this.issues.push({
        expression: value.path,
        type: 'structure',
        diagnostics: `${value.path}: expected a ${value.type} (a JSON object), found ${JSON.stringify(raw)}`,
      });
      return;
    }
    if (value.type === 'Reference') this.checkReference(value, element);
    if (element.slicing?.slices.length) this.checkSlice(value, element);
  }

  private checkReference(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const reference = (value.value as { reference?: unknown }).reference;
    if (typeof reference !== 'string') return;
    const type = referencedType(reference);
    const allowed = type && allowedTargets(element, this.ctx);
    if (!type || !allowed || allowed.has(type)) return;
    this.issues.push({
      expression: value.path,
      type: 'structure',
      diagnostics: `${value.path}: refers to a ${type}, but may refer only to ${[...allowed].join(' or ')}`,
    });
  }

  private checkSlice(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const slice = sliceOf(value, element);
    if (!slice) return;
    for (const [childKey, child] of Object.entries(slice.elements)) {
      const path = `${value.path}.${childKey}`;
      const values = flatten(getNestedProperty(value, childKey));
      if (values.length < child.min || values.length > child.max) {
        const max = Number.isFinite(child.max) ? child.max : '*';
        this.issues.push({
          expression: path,
          type: values.length < child.min ? 'required' : 'structure',
          diagnostics: `${path}: the slice '${slice.name}' needs ${child.min}..${max} values here, found ${values.length}`,
        });
      }
      for (const v of values) {
        const typed = { type: v.type, value: v.value };
        if ((child.fixed && !deepEquals(typed, child.fixed)) || (child.pattern && !deepIncludes(typed, child.pattern))) {
          const expected = (child.fixed ?? child.pattern)?.value;
          this.issues.push({
            expression: path,
            type: 'value',
            diagnostics: `${path}: the slice '${slice.name}' requires ${JSON.stringify(expected)}, found ${JSON.stringify(v.value)}`,
          });
        }
        if (child.binding?.strength === 'required' && child.binding.valueSet) {
          const issue = checkRequiredBinding(this.ctx.terminology, child.binding.valueSet, v, path);
          if (issue) this.issues.push(issue);
        }
      }
    }
  }
}

/** Walks `root` as `schema` describes it and returns what is wrong that Medplum's validator lets pass. */
export function checkStructure(root: TypedValue, schema: InternalTypeSchema, ctx: StructureContext): IssueDetail[] {
  const visitor = new StructureVisitor(ctx);
  // Only the properties present: a third of the time of walking every element the schema defines.
  crawlTypedValue(root, visitor, { schema, initialPath: schema.path, skipMissingProperties: true });
  return visitor.issues;
}
