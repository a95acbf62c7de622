// Extensions of the block and revoke Consents (services/consent-registry).

Extension: BlockLevel
Id: block-level
Title: "Block level"
Description: "Whether a block is outer (the default when absent) or inner."
Context: Consent
* insert DefinitionMetadata
* value[x] 1..1
* value[x] only code
* valueCode from BlockLevelVS (required)

Extension: BlockAudience
Id: block-audience
Title: "Block audience"
Description: "Whom a seal, a block of the patient's access or a block of guardians' access keeps out; each kind has a default when absent."
Context: Consent
* insert DefinitionMetadata
* value[x] 1..1
* value[x] only code
* valueCode from AccessorKindVS (required)

Extension: ConsentReason
Id: consent-reason
Title: "Reason"
Description: "Why a clinician restricted the patient's or a guardian's access, or why a block is temporarily lifted."
Context: Consent
* insert DefinitionMetadata
* value[x] 1..1
* value[x] only string

Extension: BlockCancellation
Id: block-cancellation
Title: "Cancellation"
Description: "When, by whom and (for the operator, always) why a block was cancelled or marked entered-in-error."
Context: Consent
* insert DefinitionMetadata
* extension contains
    at 1..1 and
    by 1..1 and
    reason 0..1
* extension[at].value[x] 1..1
* extension[at].value[x] only dateTime
* extension[by].value[x] 1..1
* extension[by].value[x] only Reference
* extension[reason].value[x] 1..1
* extension[reason].value[x] only string
