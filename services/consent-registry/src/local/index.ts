export { LocalBlockService, LOCAL_BLOCK_ID_SYSTEM, LOCAL_MIGRATIONS, type LocalBlockServiceOptions } from './local-block-service.ts';
export { localBlockHost, type LocalBlockHostOptions } from './host.ts';
export type { CopyPrivacy } from './local-store.ts';
// What another service needs to ask its copy the same question NSF's $decide answers.
export { parseDecide, type DecideInput } from '../fhir/decide-parameters.ts';
export { decisionPolicyFrom } from '../settings.ts';
export type { Decision, DecisionPolicy } from '../domain/index.ts';
