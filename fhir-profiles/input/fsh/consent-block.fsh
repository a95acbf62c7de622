// A block of the national block function (NSF) and register (NSR) as a FHIR R4 Consent with scope
// patient-privacy and a deny provision: services/consent-registry, rules in
// implementation-guides/consent-registry/rules.md. One base profile and one per kind.

Alias: $consentscope = http://terminology.hl7.org/CodeSystem/consentscope
Alias: $consentactiontype = http://terminology.hl7.org/CodeSystem/consentaction

Invariant: ndi-block-1
Description: "A block is active, inactive (cancelled) or entered-in-error."
Expression: "status = 'active' or status = 'inactive' or status = 'entered-in-error'"
Severity: #error

Invariant: ndi-block-2
Description: "The patient is named by a personnummer or samordningsnummer."
Expression: "patient.identifier.system = 'urn:oid:1.2.752.129.2.1.3.1' or patient.identifier.system = 'urn:oid:1.2.752.129.2.1.3.3'"
Severity: #error

Invariant: ndi-kind-opt-out
Description: "A block of this profile is of kind opt-out."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'opt-out').exists()"
Severity: #error

Invariant: ndi-kind-care-provider
Description: "A block of this profile is of kind care-provider."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'care-provider').exists()"
Severity: #error

Invariant: ndi-kind-all-providers
Description: "A block of this profile is of kind all-providers."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'all-providers').exists()"
Severity: #error

Invariant: ndi-kind-seal
Description: "A block of this profile is of kind seal."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'seal').exists()"
Severity: #error

Invariant: ndi-kind-patient-access
Description: "A block of this profile is of kind patient-access."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'patient-access').exists()"
Severity: #error

Invariant: ndi-kind-guardian-access
Description: "A block of this profile is of kind guardian-access."
Expression: "category.coding.where(system = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind' and code = 'guardian-access').exists()"
Severity: #error

RuleSet: PrivacyConsent
* status MS
* scope = $consentscope#patient-privacy
* category 1..1 MS
* patient 1..1 MS
* patient.identifier 1..1
* patient.identifier.system 1..1
* patient.identifier.value 1..1
* dateTime MS
* performer MS
* performer ^short = "Who registered it: set by the service from the caller's token"
* policy 1..1
* policy.uri 1..1
* policy.uri = "https://ndi-mesh.se/fhir/consent-registry/rules" (exactly)
* provision 1..1 MS
* provision.type 1..1
* provision.period MS
* provision.provision 0..0

Profile: NDIBlock
Parent: Consent
Id: consent-block
Title: "Block (spärr)"
Description: "A block of the national block function: who it protects, whose data it covers (owner, care units, category, information time window), when it is in force, and its lifecycle."
* insert DefinitionMetadata
* obeys ndi-block-1 and ndi-block-2
* insert PrivacyConsent
* category from BlockKindVS (required)
* extension contains
    BlockLevel named level 0..1 MS and
    BlockAudience named audience 0..* MS and
    ConsentReason named reason 0..1 MS and
    BlockCancellation named cancellation 0..1 MS
* provision.type = #deny
* provision.dataPeriod MS
* provision.dataPeriod ^short = "Information time window: the data's own dates, both bounds inclusive"
* provision.class 0..1 MS
* provision.class from InformationTypeVS (required)
* provision.class ^short = "The information type blocked; absent: every type"
* provision.actor MS
* provision.actor.role from BlockActorRoleVS (required)
* provision.actor.reference.identifier 1..1
* provision.data 0..0

ValueSet: BlockActorRoleVS
Id: block-actor-role
Title: "Block actor role"
Description: "The roles of actors in a block's or revoke's provision."
* insert DefinitionMetadata
* ^experimental = false
* include codes from system BlockActorRoleCS

Profile: NDIOptOut
Parent: NDIBlock
Id: consent-opt-out
Title: "Opt-out"
Description: "The patient stands outside national sharing: every category, every provider, no time window."
* insert DefinitionMetadata
* obeys ndi-kind-opt-out
* provision.dataPeriod 0..0
* provision.class 0..0

Profile: NDICareProviderBlock
Parent: NDIBlock
Id: consent-care-provider-block
Title: "Care provider block"
Description: "A block of data held by one care provider (its owner actor), outer or inner, optionally narrowed to care units, a category and a time window."
* insert DefinitionMetadata
* obeys ndi-kind-care-provider
* provision.actor 1..*

Profile: NDIGeneralBlock
Parent: NDIBlock
Id: consent-general-block
Title: "General block (NSR)"
Description: "A block kept in the national block register that applies at every care provider, present and future."
* insert DefinitionMetadata
* obeys ndi-kind-all-providers

Profile: NDISeal
Parent: NDIBlock
Id: consent-seal
Title: "Seal"
Description: "Hides data from the patient's own view (and from those who see it on the patient's behalf)."
* insert DefinitionMetadata
* obeys ndi-kind-seal

Profile: NDIPatientAccessBlock
Parent: NDIBlock
Id: consent-patient-access-block
Title: "Block of the patient's access"
Description: "A clinician's restriction of the patient's own access to data of the clinician's provider; the reason extension is required (checked by the service, MESH-NSF-002)."
* insert DefinitionMetadata
* obeys ndi-kind-patient-access
* provision.actor 1..*

Profile: NDIGuardianAccessBlock
Parent: NDIBlock
Id: consent-guardian-access-block
Title: "Block of guardians' access"
Description: "A clinician's restriction of guardians' access to a child's data, with a reason."
* insert DefinitionMetadata
* obeys ndi-kind-guardian-access
* provision.actor 1..*
