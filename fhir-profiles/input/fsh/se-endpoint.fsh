// An API of a care provider or a national service, as listed in the service catalogue. It follows
// the pattern of IHE mCSD (Mobile Care Services Discovery): the Endpoint names the organisation that
// manages it, the kinds of information it serves (payloadType) and the implementation guides it
// conforms to.

Invariant: se-endpoint-1
Description: "The address is an absolute https URL."
Expression: "matches('^https://[A-Za-z0-9.-]+(:[0-9]+)?(/.*)?$')"
Severity: #error

Extension: ImplementationGuideConformance
Id: implementation-guide
Title: "Implementation guide"
Description: "An implementation guide that the API at this endpoint conforms to, and which version of it."
Context: Endpoint
* insert DefinitionMetadata
* extension contains
    guide 1..1 and
    version 0..1
* extension[guide] ^short = "The guide: its canonical URL, or the URL of a specification that has none"
* extension[guide].value[x] 1..1
* extension[guide].value[x] only canonical or url
* extension[version] ^short = "The version of the guide, as the guide numbers its releases"
* extension[version].value[x] 1..1
* extension[version].value[x] only string

Profile: SEEndpoint
Parent: Endpoint
Id: se-endpoint
Title: "Endpoint of a health information API"
Description: "An API endpoint of a care provider or national service: who manages it, where it is, which kinds of health information it serves and which implementation guides it conforms to."
* insert DefinitionMetadata
* extension contains ImplementationGuideConformance named implementationGuide 0..* MS
* status MS
* connectionType MS
* managingOrganization 1..1 MS
* managingOrganization only Reference(SEOrganization)
* period MS
* payloadType MS
* payloadType from InformationTypeVS (required)
* address MS
* address obeys se-endpoint-1
