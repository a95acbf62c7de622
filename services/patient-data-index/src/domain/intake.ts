import { FhirError, isFhirError } from '@ndi-mesh/kernel';
import { checkBatchSize } from './index-rules.ts';
import { parseSharingEvent, type SharingEvent } from './sharing-event.ts';

export interface Admitted {
  /** Position in the batch, from 0. */
  readonly index: number;
  readonly event: SharingEvent;
}

export interface Refused {
  readonly index: number;
  readonly error: FhirError;
}

/**
 * Checks a batch of sharing events from one caller: PDI-R6 for the batch as a whole (throws),
 * then each event on its own (PDI-R8): the good ones are admitted, each bad one is refused with
 * its position and the reason, and neither affects the other.
 */
export function admitBatch(
  inputs: readonly unknown[],
  options: { readonly callerOrganisation: string; readonly now?: Date },
): { admitted: Admitted[]; refused: Refused[] } {
  checkBatchSize(inputs.length);
  // One clock reading for the whole batch, so that PDI-R5 judges all of it by the same time.
  const now = options.now ?? new Date();
  const admitted: Admitted[] = [];
  const refused: Refused[] = [];
  inputs.forEach((input, index) => {
    try {
      admitted.push({ index, event: parseSharingEvent(input, { now, callerOrganisation: options.callerOrganisation }) });
    } catch (err) {
      if (!isFhirError(err)) throw err;
      refused.push({ index, error: err });
    }
  });
  return { admitted, refused };
}
