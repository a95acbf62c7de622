// A temporary revoke (tillfällig hävning) of the national block function as a FHIR R4 Consent with
// scope patient-privacy and a permit provision: services/consent-registry, rules NSF-R12 and
// NSF-R13 in implementation-guides/consent-registry/rules.md. Kept beside the blocks (same table,
// same change feed) so one indexed read gives the decision both.

Invariant: ndi-revoke-1
Description: "A temporary revoke is bounded: its period has an end (a missing start is the time it is recorded)."
Expression: "provision.period.end.exists()"
Severity: #error

Invariant: ndi-revoke-2
Description: "A revoke names exactly one grantee organisation."
Expression: "provision.actor.where(role.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/block-actor-role' and code = 'grantee').exists()).count() = 1"
Severity: #error

Invariant: ndi-revoke-3
Description: "An emergency revoke (break-glass) names no blocks: the requester cannot know them."
Expression: "category.coding.where(code = 'emergency-revoke').exists() implies provision.data.empty()"
Severity: #error

Profile: NDIRevoke
Parent: Consent
Id: consent-revoke
Title: "Temporary revoke (tillfällig hävning)"
Description: "A time-limited permit that lifts blocks for one grantee: with the patient's consent (consent-revoke) or in an emergency (emergency-revoke, break-glass). The reason is required; the blocks a consent lifts are named in provision.data (none named: every care block but opt-out)."
* insert DefinitionMetadata
* obeys ndi-block-1 and ndi-block-2 and ndi-revoke-1 and ndi-revoke-2 and ndi-revoke-3
* insert PrivacyConsent
* category from RevokeKindVS (required)
* extension contains ConsentReason named reason 0..1 MS and BlockCancellation named cancellation 0..1 MS
* extension[reason] ^short = "Why the block is lifted: required (checked by the service, MESH-NSF-003)"
* provision.type = #permit
* provision.period 1..1
* provision.period ^short = "The window: from start (inclusive) to end (exclusive); bounded (consent ≤ 30 days, break-glass ≤ 8 hours)"
* provision.actor 1..* MS
* provision.actor.role from BlockActorRoleVS (required)
* provision.actor.reference.identifier 1..1
* provision.actor ^short = "The grantee: role grantee (organisation), optionally grantee-care-unit and grantee-professional"
* provision.dataPeriod 0..0
* provision.class 0..0
* provision.data MS
* provision.data.meaning = #instance
* provision.data.reference ^short = "Consent/<id> of a block the consent lifts"
