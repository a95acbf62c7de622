// The kinds of health information an API serves. The first six are the priority categories of
// the European Health Data Space (Regulation (EU) 2025/327, Article 14(1)); an endpoint in the
// service catalogue names the ones it serves in Endpoint.payloadType.

CodeSystem: InformationTypeCS
Id: information-type
Title: "Information type"
Description: "Kinds of health information that an API serves, starting with the priority categories of the European Health Data Space."
* insert DefinitionMetadata
* ^caseSensitive = true
* ^experimental = false
* #patient-summary "Patient summary" "A summary of the patient's most important health information (EHDS priority category a)."
* #patient-summary ^designation[0].language = #sv
* #patient-summary ^designation[0].value = "Patientöversikt"
* #eprescription "ePrescription" "A prescription of a medicinal product, issued and transmitted electronically (EHDS priority category b)."
* #eprescription ^designation[0].language = #sv
* #eprescription ^designation[0].value = "E-recept"
* #edispensation "eDispensation" "The supply of a medicinal product against an ePrescription (EHDS priority category c)."
* #edispensation ^designation[0].language = #sv
* #edispensation ^designation[0].value = "E-expediering"
* #laboratory-results "Laboratory results" "Results of medical tests, laboratory and other diagnostic results, with their reports (EHDS priority category e)."
* #laboratory-results ^designation[0].language = #sv
* #laboratory-results ^designation[0].value = "Laboratorieresultat"
* #medical-imaging "Medical images and imaging reports" "Medical imaging studies and the reports on them (EHDS priority category d)."
* #medical-imaging ^designation[0].language = #sv
* #medical-imaging ^designation[0].value = "Medicinska bilder och bildrapporter"
* #discharge-report "Discharge report" "A report written when the patient leaves in-patient care (EHDS priority category f)."
* #discharge-report ^designation[0].language = #sv
* #discharge-report ^designation[0].value = "Utskrivningsrapport"

ValueSet: InformationTypeVS
Id: information-type
Title: "Information type"
Description: "Every kind of health information that an API in ndi-mesh may serve."
* insert DefinitionMetadata
* ^experimental = false
* include codes from system InformationTypeCS
