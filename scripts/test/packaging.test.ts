// Checks of the packaging that need no Docker engine and no Helm binary: the compose file,
// the Dockerfile, the scripts the image runs, the chart's values, schema and templates, and
// yamllint over all their YAML. What this cannot check (an image build, `helm template`,
// `helm lint`) is listed in the README's deployment section.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { load, YAML11_SCHEMA } from 'js-yaml';
import { copyOperands, execForm, parseDockerfile, substitute, type Stage } from '../packaging/dockerfile.ts';
import { servicePorts } from '../packaging/service-ports.ts';
import { workspaceServices } from '../packaging/workspaces.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
// Compose and Helm read YAML 1.1 (merge keys, `on` as a boolean): parse as they do.
const loadYaml = (text: string): unknown => load(text, { schema: YAML11_SCHEMA });
type Obj = Record<string, unknown>;
const obj = (value: unknown, what: string): Obj => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value as Obj;
};

// ARCHITECTURE.md, "Ports and bases".
const architecturePorts: Record<string, number> = {
  'dev-identity-provider': 8079,
  federation: 8080,
  'service-catalogue': 8081,
  'patient-data-index': 8082,
  'consent-registry': 8083,
  representatives: 8084,
  'national-contact-point': 8085,
  'patient-access': 8086,
  simulators: 8090,
};
const serviceNames = Object.keys(architecturePorts).sort();
const existing = workspaceServices(root);

describe('the service port table', () => {
  test('is the one in ARCHITECTURE.md', () => {
    expect(servicePorts).toEqual(architecturePorts);
  });

  test('lists every service workspace, so each one is packaged', () => {
    expect(existing).toContain('service-catalogue');
    for (const name of existing) expect(serviceNames).toContain(name);
  });
});

describe('docker/compose.yaml', () => {
  const compose = obj(loadYaml(read('docker/compose.yaml')), 'compose.yaml');
  const services = obj(compose.services, 'services');
  const volumes = obj(compose.volumes, 'volumes');
  const composeDir = join(root, 'docker');
  const service = (name: string): Obj => obj(services[name], `services.${name}`);
  const started = Object.keys(services).filter((name) => name !== 'postgres' && service(name).profiles === undefined);

  test('runs PostgreSQL 15 or later with a volume at its data path and a health check', () => {
    const postgres = service('postgres');
    const major = Number(/^postgres:(\d+)/.exec(String(postgres.image))?.[1]);
    expect(major).toBeGreaterThanOrEqual(15);
    // From 18 the image keeps PGDATA in /var/lib/postgresql/<major>/docker.
    const dataPath = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
    const mounts = (postgres.volumes as string[]).map((v) => v.split(':'));
    const dataVolume = mounts.find(([, target]) => target === dataPath)?.[0];
    expect(dataVolume).toBeDefined();
    expect(volumes).toHaveProperty([dataVolume as string]);
    const check = obj(postgres.healthcheck, 'postgres.healthcheck');
    expect((check.test as string[]).join(' ')).toMatch(/pg_isready/);
  });

  test('starts exactly the services that exist as workspaces; the others wait in the pending profile', () => {
    expect(started.sort()).toEqual(existing);
    for (const name of serviceNames) {
      expect(services).toHaveProperty([name]);
      if (!existing.includes(name)) expect(service(name).profiles).toEqual(['pending']);
    }
    expect(Object.keys(services).sort()).toEqual([...serviceNames, 'postgres'].sort());
  });

  describe.each(serviceNames)('%s', (name) => {
    const port = architecturePorts[name] as number;
    const svc = service(name);
    const env = obj(svc.environment, `${name}.environment`);

    test('is built from the repository root by docker/Dockerfile with SERVICE set to it', () => {
      const build = obj(svc.build, `${name}.build`);
      const context = resolve(composeDir, String(build.context));
      expect(context).toBe(resolve(root));
      expect(resolve(context, String(build.dockerfile))).toBe(join(root, 'docker/Dockerfile'));
      expect(obj(build.args, 'build.args').SERVICE).toBe(name);
    });

    test(`listens on ${port} on every interface and publishes that port`, () => {
      expect(env.PORT).toBe(String(port));
      expect(env.HOST).toBe('0.0.0.0');
      const published = (svc.ports as string[]).map((p) => p.split(':'));
      expect(published).toContainEqual(expect.arrayContaining([String(port)]));
      for (const mapping of published) expect(mapping.at(-1)).toBe(String(port));
    });

    test('reaches the compose PostgreSQL, and starts only once it is healthy', () => {
      const url = new URL(String(env.DATABASE_URL));
      expect(url.protocol).toBe('postgres:');
      expect(url.hostname).toBe('postgres');
      expect(obj(obj(svc.depends_on, 'depends_on').postgres, 'depends_on.postgres').condition).toBe('service_healthy');
    });

    test('keeps DATA_DIR on a named volume of its own and writes nowhere else', () => {
      const mounts = (svc.volumes as string[]).map((v) => v.split(':'));
      const data = mounts.find(([, target]) => target === env.DATA_DIR);
      expect(data?.[0]).toBe(`${name}-data`);
      expect(volumes).toHaveProperty([`${name}-data`]);
      expect(svc.read_only).toBe(true);
    });

    test('is health-checked by the script shipped in the image, on /ready', () => {
      const check = obj(svc.healthcheck, `${name}.healthcheck`);
      const command = check.test as string[];
      expect(command.slice(0, 3)).toEqual(['CMD', 'node', 'scripts/packaging/healthcheck.ts']);
      expect(existsSync(join(root, command[2] as string))).toBe(true);
      expect(command[3]).toBe('/ready');
    });
  });

  test('no two services publish the same host port', () => {
    const hostPorts = Object.values(services).flatMap((s) => ((s as Obj).ports as string[] | undefined) ?? []);
    const keys = hostPorts.map((p) => p.split(':').slice(0, -1).join(':'));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = parseDockerfile(read('docker/Dockerfile'));
  const stage = (name: string): Stage => {
    const found = dockerfile.stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };
  const runs = (s: Stage): string[] => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  const last = (s: Stage, keyword: string): string | undefined => s.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
  const runtime = dockerfile.stages.at(-1) as Stage;

  test('builds every stage on Node 24', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    for (const s of dockerfile.stages) expect(substitute(s.from, dockerfile.globalArgs)).toMatch(/^node:24([.-]|$)/);
  });

  test('compiles the FHIR profiles in a build stage that has the dev dependencies', () => {
    const build = runs(stage('build'));
    const install = build.find((r) => r.includes('npm ci'));
    expect(install).toBeDefined();
    expect(install).not.toMatch(/--omit[= ]dev/);
    expect(build.some((r) => r.includes('node scripts/profiles/build.ts'))).toBe(true);
  });

  test('ships production dependencies only, and runs on the base image node, not the pinned package', () => {
    const install = runs(stage('prod-deps')).find((r) => r.includes('npm ci'));
    expect(install).toMatch(/--omit[= ]dev/);
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => copyOperands(i.args));
    const fromBuild = copies.filter((c) => c.options.get('from') === 'build');
    expect(fromBuild.map((c) => c.sources)).toEqual([['/app/fhir-profiles/fsh-generated/']]);
    expect(copies.some((c) => c.options.get('from') === 'prod-deps')).toBe(true);
  });

  test('copies from the build context only paths that exist', () => {
    const dockerignore = read('docker/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => copyOperands(i.args))) {
      if (copy.options.has('from')) continue;
      for (const source of copy.sources) {
        expect(existsSync(join(root, source))).toBe(true);
        expect(dockerignore).not.toContain(source.replace(/\/$/, ''));
      }
    }
  });

  test('keeps host packages, local data (keys) and git history out of the build context', () => {
    const ignored = read('docker/Dockerfile.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', 'data', '.git']) expect(ignored).toContain(pattern);
  });

  test('runs the service chosen by SERVICE as an unprivileged user under tini', () => {
    const args = new Map(runtime.instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=') as [string, string]));
    expect(serviceNames).toContain(args.get('SERVICE'));
    const env = runtime.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/(^|\s)SERVICE=\$\{SERVICE\}(\s|$)/);
    expect(env).toMatch(/(^|\s)HOST=0\.0\.0\.0(\s|$)/);
    expect(env).toMatch(/(^|\s)DATA_DIR=\/data(\s|$)/);

    const user = last(runtime, 'USER');
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/); // numeric, so Kubernetes can verify runAsNonRoot
    const userAt = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    expect(runtime.instructions.slice(userAt).some((i) => i.keyword === 'RUN')).toBe(false);

    expect(execForm(last(runtime, 'ENTRYPOINT') ?? '')).toEqual(['/usr/bin/tini', '--']);
    const command = execForm(last(runtime, 'CMD') ?? '');
    expect(command).toEqual(['run-service']);
    const launcher = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .map((i) => copyOperands(i.args))
      .find((c) => c.destination === '/usr/local/bin/run-service');
    expect(launcher?.sources).toEqual(['docker/run-service.sh']);
  });

  test('declares a HEALTHCHECK that asks the service whether it is ready', () => {
    const healthcheck = last(runtime, 'HEALTHCHECK') ?? '';
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim());
    expect(command).toEqual(['node', 'scripts/packaging/healthcheck.ts', '/ready']);
    expect(healthcheck).toMatch(/--start-period=\d+s/);
  });
});

describe('docker/run-service.sh', () => {
  let app: string;
  const script = join(root, 'docker/run-service.sh');
  const run = (env: Record<string, string>) =>
    spawnSync('sh', [script, '--flag'], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
    });

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'run-service-'));
    mkdirSync(join(app, 'services/demo/src'), { recursive: true });
    writeFileSync(
      join(app, 'services/demo/src/main.ts'),
      'console.log(JSON.stringify({ pid: process.pid, service: process.env.SERVICE, args: process.argv.slice(2) }));\n',
    );
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  test('replaces itself with node running services/$SERVICE/src/main.ts', () => {
    const child = run({ SERVICE: 'demo' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const started = JSON.parse(child.stdout) as { pid: number; service: string; args: string[] };
    expect(started.service).toBe('demo');
    expect(started.args).toEqual(['--flag']);
    // Same process: node received the shell's pid through exec, so signals reach it.
    expect(started.pid).toBe(child.pid);
  });

  test.each([[''], ['../../etc'], ['Demo'], ['demo; rm -rf /']])('refuses SERVICE=%j', (value) => {
    const child = run({ SERVICE: value });
    expect(child.status).toBe(64);
    expect(child.stderr).toMatch(/SERVICE must name a service/);
  });

  test('refuses a service that is not there, naming the ones that are', () => {
    const child = run({ SERVICE: 'service-catalogue' });
    expect(child.status).toBe(66);
    expect(child.stderr).toMatch(/services here: demo/);
  });
});

describe('scripts/packaging/healthcheck.ts', () => {
  let server: Server;
  let port: number;
  let readyStatus = 200;
  const requested: string[] = [];

  const check = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        [join(root, 'scripts/packaging/healthcheck.ts'), ...args],
        { env: { PATH: process.env.PATH ?? '', ...env } },
        (error, _stdout, stderr) => done({ code: error ? Number(error.code) : 0, stderr }),
      );
      child.stdin?.end();
    });

  beforeAll(async () => {
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.statusCode = req.url === '/ready' ? readyStatus : req.url === '/health' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  test('passes when /ready answers 2xx from a service bound to 0.0.0.0', async () => {
    readyStatus = 200;
    expect(await check({ PORT: String(port), HOST: '0.0.0.0' })).toEqual({ code: 0, stderr: '' });
    expect(requested.at(-1)).toBe('/ready');
  });

  test('fails when the service is not ready', async () => {
    readyStatus = 503;
    const result = await check({ PORT: String(port), HOST: '0.0.0.0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 503/);
  });

  test('asks the path it is given', async () => {
    readyStatus = 503;
    expect((await check({ PORT: String(port) }, '/health')).code).toBe(0);
    expect(requested.at(-1)).toBe('/health');
  });

  test('fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const result = await check({ PORT: String(freePort) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unreachable/);
  });

  test("falls back on the service's default port when PORT is unset", async () => {
    // The port is fixed, so listen on a loopback address other than 127.0.0.1 where it is free
    // (a mesh or another run of this test may hold it elsewhere).
    const fallback = createServer((_req, res) => res.end());
    let host = '';
    for (let last = 3; last < 40 && host === ''; last += 1) {
      const candidate = `127.0.0.${last}`;
      const bound = await new Promise<boolean>((done) => {
        fallback.once('error', () => done(false));
        fallback.listen(servicePorts.simulators, candidate, () => done(true));
      });
      if (bound) host = candidate;
    }
    expect(host).not.toBe('');
    try {
      expect(await check({ SERVICE: 'simulators', HOST: host })).toEqual({ code: 0, stderr: '' });
    } finally {
      await new Promise<void>((done) => fallback.close(() => done()));
    }
  });

  test('refuses to guess without PORT or a known SERVICE', async () => {
    const result = await check({ SERVICE: 'unknown' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no usable PORT/);
  });
});

describe('helm/ndi-mesh', () => {
  const chartDir = 'helm/ndi-mesh';
  const chart = obj(loadYaml(read(`${chartDir}/Chart.yaml`)), 'Chart.yaml');
  const values = obj(loadYaml(read(`${chartDir}/values.yaml`)), 'values.yaml');
  const schema = JSON.parse(read(`${chartDir}/values.schema.json`)) as Obj;
  // strictSchema rejects unknown keywords, so a misspelt keyword cannot silently allow anything.
  const ajv = new Ajv({ strictSchema: true, strictTypes: false, allErrors: true });
  const validate = ajv.compile(schema);
  const services = obj(values.services, 'services');
  const defaults = obj(values.serviceDefaults, 'serviceDefaults');

  test('Chart.yaml is a v2 application chart named for its folder, deploying the repository version', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('ndi-mesh');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart.appVersion).toBe((JSON.parse(read('package.json')) as { version: string }).version);
  });

  test('the schema is draft-07, the draft Helm validates with', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  test('values.yaml is valid against values.schema.json', () => {
    expect(validate(values)).toBe(true);
    expect(validate.errors ?? null).toBeNull();
  });

  test('lists every service with its port, enabling exactly those that exist as workspaces', () => {
    expect(Object.keys(services).sort()).toEqual(serviceNames);
    for (const name of serviceNames) {
      const entry = obj(services[name], name);
      expect(entry.port).toBe(architecturePorts[name]);
      expect(entry.enabled).toBe(existing.includes(name));
    }
  });

  test('requests 100m CPU and 128Mi and limits memory to 256Mi by default', () => {
    const resources = obj(defaults.resources, 'resources');
    expect(resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(obj(resources.limits, 'limits').memory).toBe('256Mi');
  });

  describe('the schema refuses broken values', () => {
    const withChange = (change: (v: Obj) => void): Obj => {
      const copy = structuredClone(values);
      change(copy);
      return copy;
    };
    const catalogue = (v: Obj): Obj => obj(obj(v.services, 'services')['service-catalogue'], 'service-catalogue');
    const refusal = (broken: Obj): ErrorObject[] => {
      expect(validate(broken)).toBe(false);
      return validate.errors ?? [];
    };

    test.each<[string, (v: Obj) => void, string, string]>([
      ['a misspelt top-level key', (v) => (v.imag = v.image), '', 'additionalProperties'],
      ['a misspelt service key', (v) => (catalogue(v).replica = 2), '/services/service-catalogue', 'additionalProperties'],
      ['a misspelt key in serviceDefaults', (v) => (obj(v.serviceDefaults, 'd').resource = {}), '/serviceDefaults', 'additionalProperties'],
      ['a negative replica count', (v) => (catalogue(v).replicas = -1), '/services/service-catalogue/replicas', 'minimum'],
      ['a fractional replica count', (v) => (catalogue(v).replicas = 1.5), '/services/service-catalogue/replicas', 'type'],
      ['a port given as a string', (v) => (catalogue(v).port = '8081'), '/services/service-catalogue/port', 'type'],
      ['a service the mesh does not have', (v) => (obj(v.services, 's')['service-catalog'] = { enabled: true, port: 8081 }), '/services', 'enum'],
      ['a service without a port', (v) => delete catalogue(v).port, '/services/service-catalogue', 'required'],
      ['enabled set for every service at once', (v) => (obj(v.serviceDefaults, 'd').enabled = true), '/serviceDefaults/enabled', 'false schema'],
      [
        'a memory size in the wrong unit',
        (v) => (catalogue(v).resources = { limits: { memory: '256MB' } }),
        '/services/service-catalogue/resources/limits/memory',
        'pattern',
      ],
      ['an unknown image pull policy', (v) => (obj(v.image, 'image').pullPolicy = 'Sometimes'), '/image/pullPolicy', 'enum'],
      ['an unknown key source', (v) => (catalogue(v).keys = { source: 'disk' }), '/services/service-catalogue/keys/source', 'enum'],
      [
        'two replicas sharing one keys volume',
        (v) => Object.assign(catalogue(v), { replicas: 2, keys: { source: 'pvc' } }),
        '/services/service-catalogue/replicas',
        'maximum',
      ],
      ['env overriding a variable the chart sets', (v) => (catalogue(v).env = { DATABASE_URL: 'postgres://x' }), '/services/service-catalogue/env', 'not'],
      ['an env value that is not a string', (v) => (catalogue(v).env = { DB_POOL_SIZE: 20 }), '/services/service-catalogue/env/DB_POOL_SIZE', 'type'],
      ['a base URL with a trailing slash', (v) => (catalogue(v).baseUrl = 'https://catalogue.example.se/'), '/services/service-catalogue/baseUrl', 'pattern'],
      ['a database Secret name Kubernetes refuses', (v) => (obj(v.database, 'db').existingSecret = 'Database_URL'), '/database/existingSecret', 'pattern'],
      ['an unknown log level', (v) => (v.logLevel = 'verbose'), '/logLevel', 'enum'],
    ])('%s', (_what, change, path, keyword) => {
      const errors = refusal(withChange(change));
      const keywordOf = (e: ErrorObject) => (e.keyword === 'false schema' ? 'false schema' : e.keyword);
      expect(errors.map((e) => [e.instancePath, keywordOf(e)])).toContainEqual([path, keyword]);
    });

    test('but accepts Helm globals, several replicas sharing keys from a Secret, and scaling to zero', () => {
      const valid = withChange((v) => {
        v.global = { imageRegistry: 'registry.example.se' };
        Object.assign(catalogue(v), { replicas: 3, keys: { source: 'secret', existingSecret: 'catalogue-keys' } });
        obj(v.services, 's').federation = { enabled: true, port: 8080, replicas: 0 };
      });
      expect(validate(valid)).toBe(true);
    });
  });

  describe('templates (Go templates: checked for structure, not rendered)', () => {
    const templatesDir = join(root, chartDir, 'templates');
    const files = readdirSync(templatesDir).sort();
    const text = new Map(files.map((f) => [f, readFileSync(join(templatesDir, f), 'utf8')]));
    const actions = (source: string): string[] =>
      [...source.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1] as string).filter((a) => !a.startsWith('/*'));
    const deployment = text.get('deployment.yaml') ?? '';
    // The lines of the YAML block under the first `key:` line.
    const block = (source: string, key: string): string => {
      const lines = source.split('\n');
      const start = lines.findIndex((l) => new RegExp(`^\\s*(- )?${key}:`).test(l));
      if (start === -1) return '';
      const indent = (lines[start] as string).search(/\S/);
      const end = lines.findIndex((l, i) => i > start && l.trim() !== '' && l.search(/\S/) <= indent);
      return lines.slice(start, end === -1 ? undefined : end).join('\n');
    };

    test('are all there', () => {
      for (const f of ['_helpers.tpl', 'NOTES.txt', 'deployment.yaml', 'service.yaml', 'configmap.yaml', 'pdb.yaml', 'pvc.yaml']) {
        expect(files).toContain(f);
      }
    });

    test.each(files)('%s closes every block it opens', (file) => {
      let depth = 0;
      for (const action of actions(text.get(file) ?? '')) {
        if (/^(if|range|with|define|block)\b/.test(action)) depth += 1;
        if (/^end\b/.test(action)) depth -= 1;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth).toBe(0);
    });

    test('include only templates that _helpers.tpl defines', () => {
      const defined = new Set([...(text.get('_helpers.tpl') ?? '').matchAll(/define\s+"([^"]+)"/g)].map((m) => m[1]));
      const included = [...text.values()].flatMap((t) => [...t.matchAll(/(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1]));
      expect(included.length).toBeGreaterThan(0);
      for (const name of included) expect(defined).toContain(name);
    });

    test('read only values that values.yaml has', () => {
      const settings: Obj = { ...defaults, enabled: true, port: 1 };
      const has = (base: unknown, path: string): boolean =>
        path
          .split('.')
          .filter(Boolean)
          .reduce<{ ok: boolean; at: unknown }>(
            (state, key) =>
              state.ok && typeof state.at === 'object' && state.at !== null && key in state.at
                ? { ok: true, at: (state.at as Obj)[key] }
                : { ok: false, at: undefined },
            { ok: true, at: base },
          ).ok;
      for (const [file, source] of text) {
        for (const m of source.matchAll(/\.Values((?:\.[A-Za-z_]\w*)+)/g)) {
          expect([file, m[1], has(values, m[1] as string)]).toEqual([file, m[1], true]);
        }
        // A service's merged settings: `$svc.x` in templates, `.svc.x` in helpers.
        for (const m of source.matchAll(/(?:\$svc|\.svc)((?:\.[A-Za-z_]\w*)+)/g)) {
          expect([file, m[1], has(settings, m[1] as string)]).toEqual([file, m[1], true]);
        }
      }
    });

    test('probe /health for liveness and startup and /ready for readiness', () => {
      expect(block(deployment, 'livenessProbe')).toMatch(/path: \/health\b/);
      expect(block(deployment, 'startupProbe')).toMatch(/path: \/health\b/);
      expect(block(deployment, 'readinessProbe')).toMatch(/path: \/ready\b/);
    });

    test('run each service non-root on a read-only root filesystem, with its resources', () => {
      expect(block(deployment, 'securityContext')).toMatch(/runAsNonRoot: true/);
      const container = deployment.slice(deployment.indexOf('containers:'));
      const containerSecurity = block(container, 'securityContext');
      expect(containerSecurity).toMatch(/readOnlyRootFilesystem: true/);
      expect(containerSecurity).toMatch(/allowPrivilegeEscalation: false/);
      expect(block(container, 'resources')).toMatch(/toYaml \$svc\.resources/);
    });

    test('take DATABASE_URL from the configured Secret, and SERVICE and PORT from the entry', () => {
      const env = block(deployment, 'env');
      const database = env.slice(env.indexOf('name: DATABASE_URL'));
      expect(block(database, 'secretKeyRef')).toMatch(/\.Values\.database\.existingSecret/);
      expect(env).toMatch(/name: SERVICE\s+value: \{\{ \$name \| quote \}\}/);
      expect(env).toMatch(/name: PORT\s+value: \{\{ \$svc\.port \| quote \}\}/);
    });
  });
});

describe('yamllint', () => {
  const installed = spawnSync('yamllint', ['--version'], { encoding: 'utf8' }).status === 0;
  const inCI = process.env.CI === 'true';
  if (!installed && !inCI) console.warn('yamllint is not installed: skipping the yamllint checks (apt-get install yamllint)');
  const lint = (...paths: string[]) => spawnSync('yamllint', ['-c', join(root, '.yamllint.yaml'), '-f', 'parsable', ...paths], { cwd: root, encoding: 'utf8' });
  const maybe = installed || inCI ? test : test.skip;

  maybe('passes on docker/, helm/ (templates excluded) and its own configuration', () => {
    if (!installed) throw new Error('yamllint is required in CI (apt-get install yamllint)');
    const result = lint('docker', 'helm', '.yamllint.yaml');
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  maybe('with the repository configuration, rejects duplicate keys and YAML 1.1 booleans', () => {
    if (!installed) throw new Error('yamllint is required in CI (apt-get install yamllint)');
    const dir = mkdtempSync(join(tmpdir(), 'yamllint-'));
    try {
      writeFileSync(join(dir, 'values.yaml'), 'replicas: 1\nenabled: yes\nreplicas: 2\n');
      const result = lint(join(dir, 'values.yaml'));
      expect(result.status).not.toBe(0);
      expect(result.stdout).toMatch(/key-duplicates/);
      expect(result.stdout).toMatch(/truthy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
