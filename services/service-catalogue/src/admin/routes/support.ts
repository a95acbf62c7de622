import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import { organisationChanges } from '../change-history.ts';
import { refusalPage } from '../views/errors.ts';
import { organisationPage, organisationsPage } from '../views/support.ts';
import type { AdminWeb } from '../web.ts';

const PAGE = 100;
const HSA_LIKE = /^SE[0-9A-Z]{6,}-[0-9A-Z]+$/i;

/** The agency's support staff: every organisation, search by name or HSA-id, and the change history. */
export function registerSupportPages(app: FastifyInstance, web: AdminWeb): void {
  app.get<{ Querystring: { q?: string } }>('/admin/support', async (request, reply) => {
    const s = await web.require(request, reply, 'support');
    if (!s) return reply;
    const q = (request.query.q ?? '').trim().slice(0, 200);
    const query: Record<string, string> = { _count: String(PAGE), _total: 'accurate' };
    if (HSA_LIKE.test(q)) query.identifier = `${HSA_ID_SYSTEM}|${q.toUpperCase()}`;
    else if (q) query['name:contains'] = q;
    const res = await web.access.call<Bundle<Organization>>(s.ctx, { method: 'GET', segments: ['Organization'], query: new URLSearchParams(query) });
    if (!res.ok) throw res.error;
    const orgs = (res.resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'sv'));
    return web.send(reply, 200, organisationsPage(s.chrome, q, orgs, res.resource.total));
  });

  app.get<{ Params: { id: string } }>('/admin/support/organisations/:id', async (request, reply) => {
    const s = await web.require(request, reply, 'support');
    if (!s) return reply;
    const read = await web.access.read<Organization>(s.ctx, 'Organization', request.params.id);
    if (!read.ok)
      return web.send(reply, 404, refusalPage(s.chrome, 'No such organisation', 'There is no organisation at this address in the catalogue.', read.error.code));
    const endpoints: Endpoint[] = await web.access.endpointsOf(s.ctx, read.resource.id!);
    const changes = await organisationChanges(web.access, s.ctx, read.resource, endpoints);
    return web.send(reply, 200, organisationPage(s.chrome, read.resource, endpoints, changes, web.informationTypes));
  });
}
