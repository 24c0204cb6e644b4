/**
 * What core, memory, agents, kernel and graph know of tracing: a span around
 * some work, with attributes. The OpenTelemetry SDK lives behind this in
 * src/platform/tracing.node.ts and is loaded only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; everywhere else (and on Workers) spans
 * cost one function call.
 */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface Span {
  set(attributes: SpanAttributes): void;
}

export interface Tracer {
  /** Whether message bodies may be put in spans (OTEL_INCLUDE_CONTENT=true); secrets are scrubbed either way. */
  readonly includeContent: boolean;
  /** Runs `work` in a span, the child of whatever span is running; a thrown error marks the span failed and is rethrown. */
  span<T>(name: string, attributes: SpanAttributes, work: (span: Span) => Promise<T>): Promise<T>;
}

const noSpan: Span = { set() {} };

export const noTracer: Tracer = {
  includeContent: false,
  span: (_name, _attributes, work) => work(noSpan),
};
