// Code systems and value sets of the national block function and register (NSF + NSR),
// services/consent-registry. The rules they serve: implementation-guides/consent-registry/rules.md.

CodeSystem: ConsentKindCS
Id: consent-kind
Title: "Block and revoke kind"
Description: "What a privacy Consent of the national block function is: one of six kinds of block, or one of two kinds of temporary revoke."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #opt-out "Opt-out" "The patient stands outside national sharing altogether (EHDS art. 10)."
* #care-provider "Care provider block" "A block of data held by one care provider: all of it, or a category, care units or a time window (inner or outer)."
* #all-providers "General block" "NSR's general block of a category, or of all data, at every care provider, present and future."
* #seal "Seal" "Hides data from the patient's own view (försegling)."
* #patient-access "Block of the patient's access" "A clinician blocks the patient's own access to data where secrecy applies against the patient."
* #guardian-access "Block of guardians' access" "A clinician blocks guardians' access to a child's data."
* #consent-revoke "Consent revoke" "The patient lets one organisation, unit or professional see blocked data for a while (tillfällig hävning med samtycke)."
* #emergency-revoke "Emergency revoke" "Break-glass by one professional when the patient cannot consent (nödöppning)."

ValueSet: BlockKindVS
Id: block-kind
Title: "Block kind"
Description: "The six kinds of block."
* insert DefinitionMetadata
* ^experimental = false
* ConsentKindCS#opt-out
* ConsentKindCS#care-provider
* ConsentKindCS#all-providers
* ConsentKindCS#seal
* ConsentKindCS#patient-access
* ConsentKindCS#guardian-access

ValueSet: RevokeKindVS
Id: revoke-kind
Title: "Revoke kind"
Description: "The two kinds of temporary revoke."
* insert DefinitionMetadata
* ^experimental = false
* ConsentKindCS#consent-revoke
* ConsentKindCS#emergency-revoke

CodeSystem: BlockActorRoleCS
Id: block-actor-role
Title: "Block actor role"
Description: "The part an actor named in a block's or revoke's provision plays."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #owner "Information owner" "The care provider holding the data the block applies to; a block with no owner is a general block (all providers)."
* #care-unit "Care unit" "A care unit of the owner whose data the block covers (inner blocks: the unit that keeps the data to itself)."
* #audience-person "Audience person" "A named person a view block keeps out (for example one of two guardians)."
* #grantee "Grantee" "The organisation (HSA-id) a temporary revoke lets through."
* #grantee-care-unit "Grantee care unit" "The care unit a temporary revoke narrows its grantee to."
* #grantee-professional "Grantee professional" "The professional a temporary revoke narrows its grantee to (always named for break-glass)."

CodeSystem: BlockLevelCS
Id: block-level
Title: "Block level"
Description: "Outer blocks (yttre spärr) keep data from other care providers; inner blocks (inre spärr) keep it inside the care unit holding it."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #outer "Outer block" "Blocked for other care providers."
* #inner "Inner block" "Blocked for every care unit but the one holding the data, inside the provider and out."

ValueSet: BlockLevelVS
Id: block-level
Title: "Block level"
Description: "Outer or inner."
* insert DefinitionMetadata
* ^experimental = false
* include codes from system BlockLevelCS

CodeSystem: AccessorKindCS
Id: accessor-kind
Title: "Accessor kind"
Description: "Who sees the patient's own view: the patient, a guardian, or another representative."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #patient "Patient" "The patient themselves."
* #guardian "Guardian" "A guardian of a child (vårdnadshavare)."
* #representative "Representative" "Someone acting for the patient under a power of attorney or as a legal representative."

ValueSet: AccessorKindVS
Id: accessor-kind
Title: "Accessor kind"
Description: "Patient, guardian or representative."
* insert DefinitionMetadata
* ^experimental = false
* include codes from system AccessorKindCS

CodeSystem: ConsentFollowUpCS
Id: consent-follow-up
Title: "Break-glass follow-up"
Description: "What the national block function writes after an emergency access (break-glass, NSF-R13): the information owner's review item (a Task) and the patient's notice (a Communication), and the owner's finding when it has reviewed the access (the Task's businessStatus)."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #break-glass-review "Review emergency access" "The information owner's follow-up item: review whether an emergency access to its data was justified."
* #break-glass-notice "Emergency access notice" "The notice telling the patient afterwards that their blocked data was read in an emergency."
* #justified "Justified" "The owner found the emergency access justified."
* #not-justified "Not justified" "The owner found the emergency access not justified; the review's note says why."
