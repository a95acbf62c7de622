// Codes of the patient data index (implementation-guides/patient-data-index): why a care provider
// stopped sharing, and the two kinds of sharing event. The end reasons mirror
// services/patient-data-index/src/domain/end-reason.ts, whose guide test keeps the two in step.

CodeSystem: PdiEndReasonCS
Id: pdi-end-reason
Title: "Sharing end reason"
Description: "Why a care provider stopped sharing a patient's documentation from one system (seed 001 §5.1.2)."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #patient-deceased "Patient deceased" "The patient has died; the provider no longer makes the documentation available from this system."
* #patient-moved "Patient moved" "The patient's care moved elsewhere and the documentation is no longer kept available from this system."
* #patient-objected "Patient objected" "The patient objected at the provider to having the documentation shared from this system (opt-out at the provider)."
* #record-closed "Record closed" "The record was closed, archived or migrated out of this system (for example the system was decommissioned)."
* #registered-in-error "Registered in error" "The patient was registered in this system in error; there is no documentation to share."
* #other "Other" "Another reason, agreed with the operator."

ValueSet: PdiEndReasonVS
Id: pdi-end-reason
Title: "Sharing end reasons"
Description: "Every sharing end reason."
* insert DefinitionMetadata
* include codes from system PdiEndReasonCS

CodeSystem: PdiEventTypeCS
Id: pdi-event-type
Title: "Sharing event type"
Description: "The two sharing events a care provider's system reports to the patient data index."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #started "Sharing started" "The patient appeared in this system; the documentation is available for sharing from now on."
* #ended "Sharing ended" "The provider stopped sharing this patient's documentation from this system."

ValueSet: PdiEventTypeVS
Id: pdi-event-type
Title: "Sharing event types"
Description: "Both sharing event types."
* insert DefinitionMetadata
* include codes from system PdiEventTypeCS
