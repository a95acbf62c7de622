import { FhirError, type ErrorCode } from '@ndi-mesh/kernel';

/** Runs `act`, expecting a FhirError with `code` (and, if given, an issue at `expression`); returns it for further checks. */
export function refusal(act: () => unknown, code: ErrorCode, expression?: string): FhirError {
  let caught: unknown;
  try {
    act();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FhirError);
  const error = caught as FhirError;
  expect(error.code).toBe(code);
  if (expression !== undefined) expect(error.issues[0]?.expression).toBe(expression);
  return error;
}
