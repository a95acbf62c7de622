import type { Actor, PersonRef } from './model.ts';

export function samePerson(a: PersonRef, b: PersonRef): boolean {
  return a.value === b.value && a.system === b.system;
}

/** A one-line description of an actor for diagnostics, naming no patient. */
export function describeActor(actor: Actor): string {
  switch (actor.type) {
    case 'patient':
      return actor.representative === undefined ? 'the patient' : "the patient's representative";
    case 'care-provider':
      return `care provider ${actor.organisation}`;
    case 'operator':
      return 'the operator';
  }
}
