export * from './catalogue.ts';
export * from './fhir-error.ts';
