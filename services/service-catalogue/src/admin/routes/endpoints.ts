import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FhirError } from '@ndi-mesh/kernel';
import { changesOf } from '../change-history.ts';
import { applyFields, EMPTY_FIELDS, fieldsFromEndpoint, fieldsFromForm, type EndpointFields } from '../endpoint-form.ts';
import { messagesFor, type FieldMessage } from '../outcome-messages.ts';
import { refusalPage } from '../views/errors.ts';
import { endpointFormPage, myEndpointsPage } from '../views/endpoints.ts';
import { changesTable } from '../views/history.ts';
import { layout } from '../views/layout.ts';
import { html } from '@ndi-mesh/kernel';
import type { AdminWeb, Signed } from '../web.ts';

type Id = { Params: { id: string } };

/**
 * An organisation's administrator and its endpoints: list, add, change, history. Writes go to the
 * FHIR router as the person; whose endpoint may be written is the catalogue's rule (NTK-R3), not
 * this page's. The page only declines to show a form for an endpoint that is not the person's.
 */
export function registerEndpointPages(app: FastifyInstance, web: AdminWeb): void {
  /**
   * The signed-in administrator (a form post's CSRF token checked) and the organisation they act
   * for; otherwise the answer (sign-in, refusal) is already sent.
   */
  const actingAdmin = async (request: FastifyRequest, reply: FastifyReply, form = false): Promise<{ s: Signed; org: Organization } | undefined> => {
    const s = await web.require(request, reply, 'admin');
    if (!s) return undefined;
    if (form && !web.csrfOk(request, s.session)) {
      web.refuseCsrf(reply, s.chrome);
      return undefined;
    }
    const org = await web.access.organisationByHsaId(s.ctx, s.person.organisationHsaId);
    if (!org)
      web.send(
        reply,
        404,
        refusalPage(
          s.chrome,
          'Your organisation is not in the catalogue',
          `Your organisation (${s.person.organisationName ?? 'HSA-id'} ${s.person.organisationHsaId}) is not registered in the service catalogue yet, so it has no endpoints to manage. Contact the agency's support to register it.`,
        ),
      );
    return org ? { s, org } : undefined;
  };

  const noSuchEndpoint = (s: Signed, reply: FastifyReply, code: string) =>
    web.send(reply, 404, refusalPage(s.chrome, 'No such endpoint', 'There is no endpoint at this address in the catalogue.', code));

  const refused = (s: Signed, reply: FastifyReply, error: FhirError) => {
    const ownership = error.code === 'MESH-AUTH-005';
    return web.send(
      reply,
      error.status,
      refusalPage(
        s.chrome,
        ownership ? 'You cannot change this endpoint' : 'The change was refused',
        ownership
          ? `This endpoint belongs to another organisation. Only the organisation that manages an endpoint may change it, and you act for ${s.person.organisationName ?? s.person.organisationHsaId}. Nothing was changed.`
          : 'The catalogue refused the change, and nothing was changed.',
        error.code,
        error.issues[0]?.diagnostics,
      ),
    );
  };

  const form = (
    s: Signed,
    reply: FastifyReply,
    status: number,
    org: Organization,
    fields: EndpointFields,
    messages: readonly FieldMessage[],
    id?: string,
    version?: string,
  ) => web.send(reply, status, endpointFormPage({ chrome: s.chrome, org, fields, messages, informationTypes: web.informationTypes, id, version }));

  /** The endpoint, if it is this person's organisation's; otherwise the answer is already sent. */
  const ownEndpoint = async (s: Signed, reply: FastifyReply, org: Organization, id: string): Promise<Endpoint | undefined> => {
    const read = await web.access.read<Endpoint>(s.ctx, 'Endpoint', id);
    if (!read.ok) {
      noSuchEndpoint(s, reply, read.error.code);
      return undefined;
    }
    if (read.resource.managingOrganization?.reference !== `Organization/${org.id}`) {
      web.send(
        reply,
        403,
        refusalPage(
          s.chrome,
          'You cannot change this endpoint',
          `This endpoint belongs to another organisation. Only the organisation that manages an endpoint may change it, and you act for ${org.name}.`,
          'MESH-AUTH-005',
        ),
      );
      return undefined;
    }
    return read.resource;
  };

  app.get<{ Querystring: { saved?: string } }>('/admin/endpoints', async (request, reply) => {
    const acting = await actingAdmin(request, reply);
    if (!acting) return reply;
    const { s, org } = acting;
    const endpoints = await web.access.endpointsOf(s.ctx, org.id!);
    const saved = request.query.saved ? endpoints.find((e) => e.id === request.query.saved) : undefined;
    return web.send(reply, 200, myEndpointsPage(s.chrome, org, endpoints, web.informationTypes, saved ? `Saved “${saved.name ?? saved.id}”.` : undefined));
  });

  app.get('/admin/endpoints/new', async (request, reply) => {
    const acting = await actingAdmin(request, reply);
    if (!acting) return reply;
    const { s, org } = acting;
    return form(s, reply, 200, org, EMPTY_FIELDS, []);
  });

  app.post('/admin/endpoints', async (request, reply) => {
    const acting = await actingAdmin(request, reply, true);
    if (!acting) return reply;
    const { s, org } = acting;
    const fields = fieldsFromForm(request.body as URLSearchParams);
    const res = await web.access.call<Endpoint>(s.ctx, {
      method: 'POST',
      segments: ['Endpoint'],
      body: applyFields({ resourceType: 'Endpoint' } as Endpoint, fields, org.id!),
    });
    if (res.ok) return reply.redirect(`/admin/endpoints?saved=${encodeURIComponent(res.resource.id!)}`, 303);
    if (res.error.status === 401 || res.error.status === 403) return refused(s, reply, res.error);
    return form(s, reply, res.error.status, org, fields, messagesFor(res.error.toOperationOutcome()));
  });

  app.get<Id>('/admin/endpoints/:id', async (request, reply) => {
    const acting = await actingAdmin(request, reply);
    if (!acting) return reply;
    const { s, org } = acting;
    const ep = await ownEndpoint(s, reply, org, request.params.id);
    if (!ep) return reply;
    return form(s, reply, 200, org, fieldsFromEndpoint(ep), [], ep.id, ep.meta?.versionId);
  });

  app.post<Id>('/admin/endpoints/:id', async (request, reply) => {
    const acting = await actingAdmin(request, reply, true);
    if (!acting) return reply;
    const { s, org } = acting;
    const id = request.params.id;
    const current = await web.access.read<Endpoint>(s.ctx, 'Endpoint', id);
    if (!current.ok) return noSuchEndpoint(s, reply, current.error.code);
    const body = request.body as URLSearchParams;
    const fields = fieldsFromForm(body);
    const version = body.get('version') ?? current.resource.meta?.versionId ?? '';
    // No ownership check here: the router refuses another organisation's endpoint (NTK-R3), audited.
    const res = await web.access.call<Endpoint>(s.ctx, {
      method: 'PUT',
      segments: ['Endpoint', id],
      body: applyFields(current.resource, fields, org.id!),
      ifMatch: `W/"${version}"`,
    });
    if (res.ok) return reply.redirect(`/admin/endpoints?saved=${encodeURIComponent(id)}`, 303);
    if (res.error.status === 401 || res.error.status === 403) return refused(s, reply, res.error);
    const messages = messagesFor(res.error.toOperationOutcome());
    // A lost update: show the saved version, so the person repeats the change on top of it.
    if (res.error.status === 412 || res.error.status === 409)
      return form(s, reply, 409, org, fieldsFromEndpoint(current.resource), messages, id, current.resource.meta?.versionId);
    return form(s, reply, res.error.status, org, fields, messages, id, version);
  });

  app.get<Id>('/admin/endpoints/:id/history', async (request, reply) => {
    const acting = await actingAdmin(request, reply);
    if (!acting) return reply;
    const { s, org } = acting;
    const ep = await ownEndpoint(s, reply, org, request.params.id);
    if (!ep) return reply;
    const changes = await changesOf(web.access, s.ctx, 'Endpoint', ep.id!);
    return web.send(
      reply,
      200,
      layout(
        `History of ${ep.name ?? ep.id}`,
        s.chrome,
        html`<p><a href="/admin/endpoints/${ep.id}">← Back to the endpoint</a></p>
          <h1>Change history of “${ep.name ?? ep.id}”</h1>
          ${changesTable(changes)}`,
      ),
    );
  });
}
