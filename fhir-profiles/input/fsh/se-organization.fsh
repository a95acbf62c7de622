Profile: SEOrganization
Parent: Organization
Id: se-organization
Title: "Swedish health organisation"
Description: "An organisation in Swedish health care (care provider, care unit, national service), identified by its HSA-id."
* insert DefinitionMetadata
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Identifiers are told apart by their system."
* identifier contains hsaId 1..1 MS
* identifier[hsaId] ^short = "HSA-id, the identifier of the organisation in the national HSA catalogue"
* identifier[hsaId].system 1..1
* identifier[hsaId].system = $hsa-id (exactly)
* identifier[hsaId].value 1..1
* active 1..1 MS
* name 1..1 MS
