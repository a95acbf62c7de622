// The default port of every service (ARCHITECTURE.md, "Ports and bases"). The packaging
// (docker/compose.yaml, helm/ndi-mesh/values.yaml) is checked against this table by
// scripts/test/packaging.test.ts, and the container health check falls back on it when
// PORT is not set.
export const servicePorts = {
  // For development and demos only: signs people in to the web UIs as synthetic professionals.
  'dev-identity-provider': 8079,
  federation: 8080,
  'service-catalogue': 8081,
  'patient-data-index': 8082,
  'consent-registry': 8083,
  representatives: 8084,
  'national-contact-point': 8085,
  'patient-access': 8086,
  simulators: 8090,
} as const;

export type ServiceName = keyof typeof servicePorts;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(servicePorts, name);
}
