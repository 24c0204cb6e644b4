import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { SpanAttributes, Tracer } from '../core/tracing.js';

export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans are posted (OTLP/HTTP, JSON) to `<endpoint>/v1/traces`. */
  endpoint: string;
  includeContent: boolean;
  /** Scrubs every configured secret out of attribute values and error messages (the logger's redactor). */
  redact: (text: string) => string;
}

/**
 * Keel's tracer on OpenTelemetry's SDK, exporting in batches over OTLP/HTTP.
 * Its own context manager and provider, not the process-wide globals: the
 * parent of a span is whatever span runs in the same async flow, without
 * reaching into other libraries' tracing. `shutdown` flushes what is queued.
 */
export function otlpTracing(settings: TracingSettings): { tracer: Tracer; shutdown: () => Promise<void> } {
  const contexts = new AsyncLocalStorageContextManager().enable();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'keel' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  const otel = provider.getTracer('keel');
  const clean = (attributes: SpanAttributes): Attributes =>
    Object.fromEntries(
      Object.entries(attributes).flatMap(([key, value]) => (value === undefined ? [] : [[key, typeof value === 'string' ? settings.redact(value) : value]])),
    );

  const tracer: Tracer = {
    includeContent: settings.includeContent,
    async span(name, attributes, work) {
      const span = otel.startSpan(name, { attributes: clean(attributes) }, contexts.active());
      try {
        return await contexts.with(trace.setSpan(contexts.active(), span), () => work({ set: (more) => span.setAttributes(clean(more)) }));
      } catch (error) {
        // The error's kind always, its words only when content is allowed: a connector's message may quote what was sent.
        const kind = error instanceof Error ? error.name : typeof error;
        const message = settings.includeContent && error instanceof Error ? settings.redact(error.message) : kind;
        span.setAttributes({ 'error.type': kind });
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        throw error;
      } finally {
        span.end();
      }
    },
  };
  return {
    tracer,
    async shutdown() {
      await provider.shutdown();
      contexts.disable();
    },
  };
}
