// Metadata that every definition carries: SUSHI copies only version and status from sushi-config.yaml
// when it builds no implementation guide (FSHOnly).
RuleSet: DefinitionMetadata
* ^publisher = "ndi-mesh"
* ^contact[0].telecom[0].system = #url
* ^contact[0].telecom[0].value = "https://ndi-mesh.se"
* ^jurisdiction = urn:iso:std:iso:3166#SE "Sweden"
