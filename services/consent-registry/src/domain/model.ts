/**
 * The vocabulary of the national block function (NSF) and block register (NSR), seed 001 §5.3.
 * Plain data, no behaviour: the rules live in decide.ts and the *-rules.ts files, and the
 * implementation guide (implementation-guides/consent-registry/rules.md) numbers them.
 *
 * Times are epoch milliseconds. The HTTP layer turns FHIR dateTimes into them once, so that the
 * decision, called thousands of times a second, compares numbers rather than parses strings.
 */
export type Instant = number;

/** When something is in force: from `start` (inclusive) to `end` (exclusive); no end means until cancelled. */
export interface Period {
  readonly start: Instant;
  readonly end?: Instant;
}

/**
 * Which data a block covers by the data's own date, as the current block service's
 * informationStartDate / informationEndDate: both bounds inclusive, either may be open.
 */
export interface DataWindow {
  readonly from?: Instant;
  readonly to?: Instant;
}

/** A person named by a national identity number (personnummer or samordningsnummer). */
export interface PersonRef {
  readonly system: string;
  readonly value: string;
}

/** Codes of https://ndi-mesh.se/fhir/CodeSystem/information-type (fhir-profiles/input/fsh/information-type.fsh). */
export const INFORMATION_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
export const INFORMATION_TYPES = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'] as const;
export type InformationType = (typeof INFORMATION_TYPES)[number];
/** A block's category: one information type, or every type there is and will be. */
export type BlockCategory = InformationType | 'all';

/** The owner of a general block kept in NSR: it applies at every provider, present and future. */
export const ALL_PROVIDERS = 'all-providers';
export type BlockOwner = string | typeof ALL_PROVIDERS;

export const BLOCK_KINDS = ['opt-out', 'care-provider', 'all-providers', 'seal', 'patient-access', 'guardian-access'] as const;
/**
 * - `opt-out`: the patient stands outside national sharing altogether (EHDS art. 10).
 * - `care-provider`: data held by one provider (all of it, or one category, unit or time window).
 * - `all-providers`: NSR's general block of a category, or of all data, at every provider.
 * - `seal`: hides data from the patient's own view (försegling).
 * - `patient-access`: a clinician blocks the patient's own access where secrecy applies against the patient.
 * - `guardian-access`: a clinician blocks guardians' access to a child's data.
 */
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** Kinds that restrict care professionals (the "clinician-facing" blocks). */
export const CARE_BLOCK_KINDS: ReadonlySet<BlockKind> = new Set(['opt-out', 'care-provider', 'all-providers']);
/** Kinds that restrict the patient's own view and those who see it on the patient's behalf. */
export const VIEW_BLOCK_KINDS: ReadonlySet<BlockKind> = new Set(['seal', 'patient-access', 'guardian-access']);

/**
 * `outer` (yttre spärr): the data is blocked for other care providers. `inner` (inre spärr): the
 * data held at `careUnits` is blocked for every unit but the one holding it, inside the provider
 * and out. `careUnits` on an outer block narrows it to the data held at those units.
 */
export interface BlockScope {
  readonly level: 'outer' | 'inner';
  readonly careUnits?: readonly string[];
}

export type RecordStatus = 'active' | 'cancelled' | 'entered-in-error';

export type AccessorKind = 'patient' | 'guardian' | 'representative';
export const ACCESSOR_KINDS: readonly AccessorKind[] = ['patient', 'guardian', 'representative'];

/** Whom a seal, a patient-access block or a guardian block keeps out; `persons` narrows it to named people. */
export interface Audience {
  readonly accessors: readonly AccessorKind[];
  readonly persons?: readonly PersonRef[];
}

/** Who registered, cancelled or recorded something. */
export type Actor =
  | { readonly type: 'patient'; readonly patient: PersonRef; readonly representative?: PersonRef }
  | { readonly type: 'care-provider'; readonly organisation: string; readonly careUnit?: string; readonly professional?: string }
  | { readonly type: 'operator'; readonly id: string };

export interface Cancellation {
  readonly at: Instant;
  readonly by: Actor;
  readonly reason?: string;
}

export interface Block {
  readonly id: string;
  readonly patient: PersonRef;
  readonly kind: BlockKind;
  /** The care provider (HSA-id) holding the data the block applies to, or ALL_PROVIDERS for NSR's general blocks. */
  readonly owner: BlockOwner;
  readonly scope: BlockScope;
  readonly category: BlockCategory;
  readonly dataPeriod?: DataWindow;
  readonly period: Period;
  readonly status: RecordStatus;
  readonly createdBy: Actor;
  /** Seals, patient-access and guardian blocks only; each kind has a default (see audienceOf). */
  readonly audience?: Audience;
  /** Why a clinician restricted the patient's or a guardian's access; required for those kinds. */
  readonly reason?: string;
  readonly cancellation?: Cancellation;
}

/** Whom a revoke lets through: an organisation, narrowed to a unit and/or a professional (HSA-ids). */
export interface Grantee {
  readonly organisation: string;
  readonly careUnit?: string;
  readonly professional?: string;
}

/**
 * A temporary revoke (tillfällig hävning). `consent`: the patient lets one organisation, unit or
 * professional see blocked data for a while. `emergency`: break-glass by one professional when
 * the patient cannot consent.
 */
export interface Revoke {
  readonly id: string;
  readonly patient: PersonRef;
  readonly kind: 'consent' | 'emergency';
  readonly grantee: Grantee;
  /** Consent revokes only: the blocks it lifts; absent lifts every block a consent may lift except opt-out. */
  readonly blockIds?: readonly string[];
  /** Always bounded. */
  readonly period: { readonly start: Instant; readonly end: Instant };
  readonly reason: string;
  readonly status: RecordStatus;
  readonly recordedBy: Actor;
}

export interface Requester {
  readonly organisation: string;
  readonly careUnit?: string;
  readonly professional?: string;
  readonly role?: string;
}

export type Purpose =
  | { readonly type: 'treatment' }
  | { readonly type: 'emergency' }
  | { readonly type: 'patient-access'; readonly accessor: AccessorKind; readonly person: PersonRef };

/** One record the information owner is about to hand out. */
export interface RecordRef {
  /** The care provider (HSA-id) holding the data: the information owner, who filters. */
  readonly owner: string;
  readonly careUnit: string;
  readonly category: InformationType;
  /** The data's own date or span; absent means unknown, and every time window is taken to cover it. */
  readonly dataPeriod?: DataWindow;
}

export interface DecisionRequest {
  readonly patient: PersonRef;
  readonly requester: Requester;
  readonly purpose: Purpose;
  readonly record: RecordRef;
  /** ISO 3166-1 alpha-2 code of the member state asking through the national contact point; absent for national requests. */
  readonly country?: string;
}

export type Effect = 'permit' | 'deny';

export interface TraceEntry {
  readonly rule: RuleId;
  readonly blockId?: string;
  readonly revokeId?: string;
}

/** What the service must do when it releases data under break-glass (rule NSF-R13). */
export type Obligation = 'audit-emergency-access' | 'notify-patient' | 'owner-follow-up';

/**
 * The answer for one record. The trace and obligations are for the information owner's audit
 * and follow-up; a requester is shown only the data that was permitted, never why the rest is
 * missing (seed 001 §5.3.2, assumption 2).
 */
export interface Decision {
  readonly effect: Effect;
  readonly trace: readonly TraceEntry[];
  readonly obligations: readonly Obligation[];
}

export const RULES = {
  'NSF-R1': 'Only active blocks and revokes of this patient, in force now, count',
  'NSF-R2': 'The information owner filters: a block counts only for data it covers (owner, care unit, category)',
  'NSF-R3': 'Information time window: a block with a data window covers only data dated within it',
  'NSF-R4': 'Opt-out denies every other care provider, at home and abroad',
  'NSF-R5': 'An outer block denies other care providers',
  'NSF-R6': 'An inner block denies every care unit but the one holding the data, inside the provider and out',
  'NSF-R7': 'A general block (NSR) denies every other care provider, present and future',
  'NSF-R8': "A seal hides the data from the patient's own view",
  'NSF-R9': "A clinician's block of the patient's own access denies the patient and those acting for them",
  'NSF-R10': "A block of guardians' access denies the guardians it names",
  'NSF-R11': 'A cross-border request gets only the categories its country may receive',
  'NSF-R12': 'A consent revoke lifts, for its grantee and window, the care blocks it covers',
  'NSF-R13':
    'An emergency revoke lifts, for its professional and window, outer, inner and general blocks under emergency purpose; audited, told to the patient, followed up',
  'NSF-R14': 'Deny overrides: any applicable block left unlifted denies',
  'NSF-R15': 'Otherwise permit',
  'NSF-R16': "A provider's local block service holds its own blocks and every general block, and decides alone",
} as const;
export type RuleId = keyof typeof RULES;

/** Settings of the decision that the law leaves to the member state (seed 001 §5.3.2: "flexibel teknisk lösning"). */
export interface DecisionPolicy {
  /** EHDS art. 10(2) lets a member state allow vital-interest access despite opt-out; Swedish law has not said yet. */
  readonly emergencyLiftsOptOut: boolean;
  readonly countries: CountryPolicy;
}

/** Per member state, the information types Sweden shares with it through the national contact point. */
export type CountryPolicy = ReadonlyMap<string, ReadonlySet<InformationType>>;
