// `npm run federation -- <command> [options]`: the operator's tool for onboarding. It signs a
// short-lived operator token with the operator key from the federation's data directory and
// calls the admin API; nothing here bypasses the API.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { trustMarkType } from '@ndi-mesh/kernel';
import { adminAudience, OPERATOR_KEY_FILE, operatorToken } from './operator-auth.ts';

const USAGE = `usage: npm run federation -- <command> [options]
commands:
  list                                   registered entities and their trust marks
  register --entity-id URL --jwks FILE [--entity-type T]... [--hsa-id SE…]
  enrol URL [--mark TYPE]... [--hsa-id SE…]   register an entity from its published entity configuration and grant marks
  grant --entity-id URL --mark TYPE [--hsa-id SE…] [--ttl SECONDS]
  revoke --entity-id URL [--mark TYPE] [--reason TEXT]
  remove --entity-id URL
  rotate-keys                            roll the anchor's signing key over
  token                                  print an operator token (for curl)
options: --federation URL (default $FEDERATION_URL or http://127.0.0.1:8080)
         --operator-key FILE (default $FEDERATION_OPERATOR_KEY or ./data/federation/${OPERATOR_KEY_FILE})
TYPE is a full URI or a short name: care-provider-system, assurance-level-3, access-service, national-service, ncp`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    federation: { type: 'string' },
    'operator-key': { type: 'string' },
    'entity-id': { type: 'string' },
    jwks: { type: 'string' },
    'entity-type': { type: 'string', multiple: true },
    'hsa-id': { type: 'string' },
    mark: { type: 'string', multiple: true },
    ttl: { type: 'string' },
    reason: { type: 'string' },
    help: { type: 'boolean' },
  },
});

const federation = (values.federation ?? process.env.FEDERATION_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const keyPath = resolve(values['operator-key'] ?? process.env.FEDERATION_OPERATOR_KEY ?? `data/federation/${OPERATOR_KEY_FILE}`);

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await operatorToken(keyPath, adminAudience(federation), process.env.USER ?? 'operator');
  const res = await fetch(`${federation}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

function need(name: 'entity-id' | 'jwks'): string {
  const v = values[name];
  if (!v) throw new Error(`--${name} is required\n\n${USAGE}`);
  return v;
}

async function main(): Promise<void> {
  const [command, arg] = positionals;
  if (!command || values.help) return console.log(USAGE);
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
  switch (command) {
    case 'token':
      return console.log(await operatorToken(keyPath, adminAudience(federation), process.env.USER ?? 'operator'));
    case 'list':
      return print(await admin('GET', '/admin/entities'));
    case 'register':
      return print(
        await admin('PUT', '/admin/entities', {
          entity_id: need('entity-id'),
          jwks: JSON.parse(await readFile(need('jwks'), 'utf8')),
          ...(values['entity-type'] ? { entity_types: values['entity-type'] } : {}),
          ...(values['hsa-id'] ? { hsa_id: values['hsa-id'] } : {}),
        }),
      );
    case 'enrol': {
      if (!arg) throw new Error(`enrol needs the entity's URL\n\n${USAGE}`);
      const entityId = arg.replace(/\/$/, '');
      // The operator vouches for these keys: enrol only an entity whose configuration you fetched from a source you trust.
      const jwt = await (await fetch(`${entityId}/.well-known/openid-federation`)).text();
      const ec = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
        sub?: string;
        jwks?: unknown;
        metadata?: Record<string, unknown>;
      };
      if (ec.sub?.replace(/\/$/, '') !== entityId) throw new Error(`${entityId} published a configuration about ${ec.sub}`);
      const entityTypes = Object.keys(ec.metadata ?? { federation_entity: {} });
      print(
        await admin('PUT', '/admin/entities', {
          entity_id: entityId,
          jwks: ec.jwks,
          entity_types: entityTypes,
          ...(values['hsa-id'] ? { hsa_id: values['hsa-id'] } : {}),
        }),
      );
      for (const m of values.mark ?? [])
        print(
          await admin('POST', '/admin/trust-marks', {
            entity_id: entityId,
            trust_mark_type: trustMarkType(m),
            ...(values['hsa-id'] ? { hsa_id: values['hsa-id'] } : {}),
          }),
        );
      return;
    }
    case 'grant':
      for (const m of values.mark ?? [])
        print(
          await admin('POST', '/admin/trust-marks', {
            entity_id: need('entity-id'),
            trust_mark_type: trustMarkType(m),
            ...(values['hsa-id'] ? { hsa_id: values['hsa-id'] } : {}),
            ...(values.ttl ? { ttl_seconds: Number(values.ttl) } : {}),
          }),
        );
      return;
    case 'revoke':
      return print(
        await admin('POST', '/admin/trust-marks/revoke', {
          entity_id: need('entity-id'),
          ...(values.mark?.[0] ? { trust_mark_type: trustMarkType(values.mark[0]) } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
        }),
      );
    case 'remove':
      return print(await admin('DELETE', '/admin/entities', { entity_id: need('entity-id') }));
    case 'rotate-keys':
      return print(await admin('POST', '/admin/keys/rotate'));
    default:
      throw new Error(`unknown command ${command}\n\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
