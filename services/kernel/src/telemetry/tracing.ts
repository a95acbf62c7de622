import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { NodeSDK } from '@opentelemetry/sdk-node';

let started: NodeSDK | undefined;

/**
 * W3C trace context is always honoured and propagated; spans are exported only when an
 * OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT), by the OpenTelemetry Node SDK,
 * which reads the standard OTEL_* variables itself.
 */
export async function initTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (started || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  // The SDK and its exporters weigh ~45 MB of memory: loaded only when traces are exported.
  const { NodeSDK: Sdk } = await import('@opentelemetry/sdk-node');
  started = new Sdk({ serviceName: service, instrumentations: [] });
  started.start();
}

export async function shutdownTracing(): Promise<void> {
  await started?.shutdown().catch(() => undefined);
  started = undefined;
}

const tracer = () => trace.getTracer('ndi-mesh');

export function startServerSpan(name: string, headers: Record<string, string | string[] | undefined>): { span: Span; ctx: Context } {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

export function endSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** Headers carrying the current trace context, for an outgoing call. */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

export function traceIdOf(span: Span): string | undefined {
  const id = span.spanContext().traceId;
  return id === '00000000000000000000000000000000' ? undefined : id;
}
