import { startTestService, type TestAnchor, type TestService } from '@ndi-mesh/kernel/testing';
import { trustMarkType, type Jwks } from '@ndi-mesh/kernel';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANCHOR_JWKS_FILE, federationService } from './definition.ts';
import { adminAudience, OPERATOR_KEY_FILE, operatorToken } from './operator-auth.ts';

export interface TestFederation extends TestAnchor {
  readonly service: TestService;
  /** A fresh operator token for the admin API. */
  operatorToken(): Promise<string>;
  /** Calls the admin API as the operator; returns status and JSON body. */
  admin(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * A real trust anchor for tests: the federation service on a fresh database, listening on
 * 127.0.0.1, driven through its own admin API with its own operator key.
 */
export async function startTestFederation(env: Record<string, string> = {}): Promise<TestFederation> {
  const service = await startTestService(federationService(env), env);
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const address = service.app.server.address() as { port: number };
  const entityId = `http://127.0.0.1:${address.port}`;
  const keyPath = join(service.kernel.settings.dataDir, OPERATOR_KEY_FILE);
  const token = () => operatorToken(keyPath, adminAudience(entityId), 'test-operator');
  const admin: TestFederation['admin'] = async (method, path, body) => {
    const res = await fetch(`${entityId}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  // Out of band, as an operator hands them to a service: the anchor's public keys file.
  const jwksPath = join(service.kernel.settings.dataDir, ANCHOR_JWKS_FILE);
  return {
    service,
    entityId,
    get jwks(): Jwks {
      return JSON.parse(readFileSync(jwksPath, 'utf8')) as Jwks;
    },
    operatorToken: token,
    admin,
    async enrol(id, keys, { trustMarks, hsaId }) {
      const reg = await admin('PUT', '/admin/entities', {
        entity_id: id,
        jwks: keys,
        entity_types: ['federation_entity', 'oauth_client', 'oauth_authorization_server', 'oauth_resource'],
        ...(hsaId ? { hsa_id: hsaId } : {}),
      });
      if (reg.status >= 300) throw new Error(`enrolment of ${id} refused: ${JSON.stringify(reg.body)}`);
      for (const m of trustMarks) {
        const res = await admin('POST', '/admin/trust-marks', { entity_id: id, trust_mark_type: trustMarkType(m), ...(hsaId ? { hsa_id: hsaId } : {}) });
        if (res.status !== 201) throw new Error(`granting ${m} to ${id} refused: ${JSON.stringify(res.body)}`);
      }
    },
    close: () => service.close(),
  };
}
