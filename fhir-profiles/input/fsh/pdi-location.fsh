// The patient data index's read side (implementation-guides/patient-data-index/README.md, "Read
// model"). One index entry (patient, care provider, registering system) is one DocumentReference,
// as the Dutch localisation service models "data about this patient is held there"
// (nl-gf-localization-documentreference) and as IHE MHD describes document metadata: custodian,
// author, subject and sourcePatientInfo carry exactly the entry's parts. Each sharing event in the
// patient's own view is a Provenance of its entry.

Profile: PdiLocation
Parent: DocumentReference
Id: pdi-location
Title: "Patient data location"
Description: "A care provider system that holds health data about the patient, and where to fetch it: one entry of the patient data index."
* insert DefinitionMetadata
* status MS
* status ^short = "current: data is shared from this system; superseded: sharing ended (only in the patient's own view)"
* type 0..1 MS
* type from InformationTypeVS (required)
* type ^short = "The information type the requester asked about"
* subject 1..1 MS
* subject.identifier 1..1
* subject.reference 0..0
* date 1..1 MS
* date ^short = "When sharing started (or ended) in the provider's system"
* author 1..1 MS
* author.identifier 1..1
* author ^short = "The registering system, by its identifier or its URI (urn:ietf:rfc:3986)"
* custodian 1..1 MS
* custodian.identifier 1..1
* custodian.identifier.system = "urn:oid:1.2.752.129.2.1.4.1"
* custodian ^short = "The care provider (HSA-id), with a reference to its Organization in the catalogue when it has endpoints"
* context.sourcePatientInfo.identifier MS
* context.sourcePatientInfo ^short = "The patient's identifier in the provider's system"
* content MS
* content.attachment.url MS
* content.attachment.url ^short = "The address of a catalogue endpoint serving the requested information type"

Profile: PdiSharingEventProvenance
Parent: Provenance
Id: pdi-sharing-event-provenance
Title: "Sharing event"
Description: "One sharing event the index received, as the patient's own view shows it."
* insert DefinitionMetadata
* target 1..1 MS
* occurred[x] 1..1 MS
* occurred[x] only dateTime
* recorded MS
* recorded ^short = "When the index received the event"
* activity 1..1 MS
* activity from PdiEventTypeVS (required)
* reason 0..1 MS
* reason from PdiEndReasonVS (required)
* agent 1..1 MS
* agent.who.identifier 1..1
* agent.onBehalfOf 1..1
* agent.onBehalfOf.identifier 1..1
