/**
 * Export effect-lanes' spans and metrics to OpenTelemetry, through `@effect/opentelemetry`.
 *
 * The queue needs no change: once one of these layers is provided, the spans it opens
 * (`LaneQueue.submit`, `LaneQueue.submitByTool`, `LaneQueue.enqueue`, `LaneQueue.submitBatch`,
 * `Strategy.runTurn`, ... with the tasks' own spans under them) and the `effect_lanes_*` Metrics of
 * `LaneMetrics` (and every other Effect Metric of the process) reach the backend.
 *
 * - {@link layer}: the OpenTelemetry SDK (`NodeSdk.layer`) with the span processors and metric
 *   readers the application builds.
 * - {@link layerConsole}: the SDK's console exporters, to try it out.
 * - {@link layerOtlp}, {@link layerOtlpConfig}, {@link layerOtlpFromEnv}: OTLP over HTTP with
 *   `@effect/opentelemetry`'s own exporters (no OpenTelemetry SDK), configured from code or from
 *   the standard `OTEL_*` environment variables ({@link otlpConfig}).
 *
 * @since 0.1.0
 */
import type * as Resource from "@effect/opentelemetry/Resource"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Attributes } from "@opentelemetry/api"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Layer from "effect/Layer"
import * as env from "../internal/otel/env.js"
import * as internal from "../internal/otel/layers.js"

/**
 * The service a layer reports as, and how long closing it may take.
 *
 * The service name is `serviceName`, else `OTEL_SERVICE_NAME`, else a `service.name` in
 * `OTEL_RESOURCE_ATTRIBUTES`, else `"effect-lanes"`; `attributes` add to (and override) those of
 * `OTEL_RESOURCE_ATTRIBUTES`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceOptions {
  readonly serviceName?: string | undefined
  readonly serviceVersion?: string | undefined
  readonly attributes?: Attributes | undefined
  /** How long closing the layer may take to flush what is buffered; default 3 seconds. */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
}

/**
 * What {@link layer} exports to: the application's span processors (e.g. a `BatchSpanProcessor`
 * over any `SpanExporter`) and metric readers (e.g. a `PeriodicExportingMetricReader`). Either may
 * be empty: then that signal is not exported.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ResourceOptions {
  readonly spanProcessors?: ReadonlyArray<SpanProcessor> | undefined
  readonly metricReaders?: ReadonlyArray<MetricReader> | undefined
  /**
   * Whether the tracer enters the OpenTelemetry context of the fiber's current span at every fiber
   * step, as `NodeSdk.layer` does (default `true`). That is what lets code on `@opentelemetry/api`
   * (auto-instrumented libraries) running inside an Effect span see it as the active span, when the
   * application registered an OpenTelemetry context manager. `false` skips the step; Effect's own spans
   * and their parents are the same, and tracing costs less per task (`bench/otel-cost.ts`).
   */
  readonly otelContext?: boolean | undefined
}

/**
 * Options of {@link layerConsole}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsoleOptions extends ResourceOptions {
  /** As in {@link Options}; default `true`. */
  readonly otelContext?: boolean | undefined
  /** Time between two metric prints; default 1 minute. Closing the layer prints them once more. */
  readonly metricsExportInterval?: Duration.DurationInput | undefined
}

/**
 * The OTLP encodings over HTTP (`OTEL_EXPORTER_OTLP_PROTOCOL`); gRPC is not supported.
 *
 * @since 0.1.0
 * @category models
 */
export type OtlpProtocol = "http/protobuf" | "http/json"

/**
 * Options of {@link layerOtlp}. A signal without a URL is not exported.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtlpOptions {
  /** Where spans go, the full URL (e.g. `http://localhost:4318/v1/traces`). */
  readonly tracesUrl?: string | undefined
  /** Where metrics go, the full URL (e.g. `http://localhost:4318/v1/metrics`). */
  readonly metricsUrl?: string | undefined
  /** HTTP headers of the span exports (e.g. an `authorization`). */
  readonly tracesHeaders?: Readonly<Record<string, string>> | undefined
  /** HTTP headers of the metric exports. */
  readonly metricsHeaders?: Readonly<Record<string, string>> | undefined
  /** Default `"http/protobuf"`, as the OTLP specification asks. */
  readonly protocol?: OtlpProtocol | undefined
  /** Default `"effect-lanes"`. */
  readonly serviceName?: string | undefined
  readonly serviceVersion?: string | undefined
  /** Resource attributes; `@effect/opentelemetry` adds those of `OTEL_RESOURCE_ATTRIBUTES` beneath them. */
  readonly attributes?: Readonly<Record<string, string>> | undefined
  /** Time between two span exports (a full batch of 1000 goes at once); default 5 seconds. */
  readonly tracesExportInterval?: Duration.DurationInput | undefined
  /** Time between two metric exports; default 10 seconds. */
  readonly metricsExportInterval?: Duration.DurationInput | undefined
  /** How long closing the layer may take for its last export; default 3 seconds. */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
}

/**
 * The OpenTelemetry SDK as Effect's tracer and metric exporter (`@effect/opentelemetry`'s
 * `NodeSdk.layer`), sending to the span processors and metric readers given. Closing the layer
 * flushes and shuts them down.
 *
 * Fails with a `ConfigError` naming the variable when `OTEL_RESOURCE_ATTRIBUTES` (`key=value,...`,
 * percent-encoded) is malformed.
 *
 * @example
 * ```ts
 * import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
 * import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
 * import { Otel } from "effect-lanes/otel"
 *
 * const TracingLive = Otel.layer({
 *   serviceName: "my-agent",
 *   spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())]
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<Resource.Resource, ConfigError.ConfigError> = internal.layer

/**
 * Spans and metrics printed to the console by the OpenTelemetry SDK's `ConsoleSpanExporter` (each
 * span when it ends) and `ConsoleMetricExporter` (every `metricsExportInterval`, and once more when the
 * layer closes). For trying things out; see `examples/otel-console.ts`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConsole: (
  options?: ConsoleOptions
) => Layer.Layer<Resource.Resource, ConfigError.ConfigError> = internal.layerConsole

/**
 * Spans and metrics exported as OTLP over HTTP by `@effect/opentelemetry`'s own `OtlpTracer` and
 * `OtlpMetrics` (batched, retried, flushed when the layer closes), through the `HttpClient` provided:
 * no OpenTelemetry SDK object is created, and spans skip the SDK tracer's per-fiber context step.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlp: (options: OtlpOptions) => Layer.Layer<never, never, HttpClient.HttpClient> = internal.layerOtlp

/**
 * {@link layerOtlp} with its options read from a `Config` (such as {@link otlpConfig}); fails with
 * the config's `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlpConfig: (
  config: Config.Config<OtlpOptions>
) => Layer.Layer<never, ConfigError.ConfigError, HttpClient.HttpClient> = internal.layerOtlpConfig

/**
 * OTLP export configured by the standard environment variables ({@link otlpConfig}) over the
 * platform's `fetch`: what a command-line `--otel` flag provides.
 *
 * With no endpoint set it fails with a `ConfigError` naming `OTEL_EXPORTER_OTLP_ENDPOINT` (where
 * the OTLP specification would fall back to `http://localhost:4318`: asking for export with nowhere
 * to send it is a mistake worth reporting). Closing the layer sends what is buffered; a collector that
 * cannot be reached delays the close by the shutdown timeout (3 seconds), and failed exports are
 * logged at debug level only.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlpFromEnv: Layer.Layer<never, ConfigError.ConfigError> = internal.layerOtlpFromEnv

/**
 * The OTLP exporter's options from the standard environment variables, read through Effect `Config`
 * (so any `ConfigProvider` works):
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; spans go to `<endpoint>/v1/traces` and
 *   metrics to `<endpoint>/v1/metrics` (the base URL's path kept, one `/` between).
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`: a signal's full URL,
 *   used as it is; with only one of them set (and no base endpoint), only that signal is exported.
 * - `OTEL_EXPORTER_OTLP_HEADERS` (all signals), `OTEL_EXPORTER_OTLP_TRACES_HEADERS`,
 *   `OTEL_EXPORTER_OTLP_METRICS_HEADERS` (added over them): `key=value,key2=value2`, percent-encoded.
 * - `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (default) or `http/json`.
 * - `OTEL_SERVICE_NAME` (default `effect-lanes`) and `OTEL_RESOURCE_ATTRIBUTES` (`key=value,...`).
 * - `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between exports.
 *
 * Empty values count as unset. A malformed value fails with a `ConfigError` naming its variable; no
 * endpoint at all fails with one naming `OTEL_EXPORTER_OTLP_ENDPOINT`.
 *
 * @since 0.1.0
 * @category config
 */
export const otlpConfig: Config.Config<OtlpOptions> = env.otlpConfig
