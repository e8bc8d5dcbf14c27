import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as OtlpMetrics from "@effect/opentelemetry/OtlpMetrics"
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import type * as Resource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Arr from "effect/Array"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type * as Otel from "../../otel/Otel.js"
import { defaultServiceName, otlpConfig, resourceConfig } from "./env.js"

/**
 * The SDK's tracer for Effect without its `context` step (entering the OpenTelemetry context of the
 * fiber's current span at every fiber step): spans and their parents are the same.
 */
const tracerWithoutContext: Layer.Layer<never, never, OtelTracer.OtelTracer> = Layer.unwrapEffect(
  Effect.map(OtelTracer.make, (tracer) =>
    Layer.setTracer(Tracer.make({
      span: (name, parent, context, links, startTime, kind, options) =>
        tracer.span(name, parent, context, links, startTime, kind, options),
      context: (execution) => execution()
    })))
)

/** The OpenTelemetry SDK's tracer and metric readers, on `NodeSdk.layer`, with the resource from options or env. */
export const layer = (options: Otel.Options): Layer.Layer<Resource.Resource, ConfigError.ConfigError> => {
  const processors = options.spanProcessors ?? []
  const withContext = options.otelContext ?? true
  const sdk = NodeSdk.layer(Effect.map(resourceConfig, (env): NodeSdk.Configuration => ({
    // without the context step, the tracer is installed below on the same provider NodeSdk would build
    spanProcessor: withContext ? processors : undefined,
    metricReader: options.metricReaders,
    resource: {
      serviceName: options.serviceName ?? Option.getOrElse(env.serviceName, () => defaultServiceName),
      ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
      // OTEL_RESOURCE_ATTRIBUTES itself is read again by @effect/opentelemetry (Resource.layerFromEnv, raw,
      // not percent-decoded): passing our decoded copy too would export an encoded key twice
      ...(options.attributes === undefined ? {} : { attributes: options.attributes })
    },
    shutdownTimeout: options.shutdownTimeout
  })))
  if (withContext || !Arr.isNonEmptyReadonlyArray(processors)) return sdk
  return tracerWithoutContext.pipe(
    Layer.provide(OtelTracer.layerTracer),
    Layer.provide(NodeSdk.layerTracerProvider(processors, { shutdownTimeout: options.shutdownTimeout })),
    Layer.provideMerge(sdk)
  )
}

/** Spans and metrics printed by the OpenTelemetry SDK's console exporters. */
export const layerConsole = (
  options: Otel.ConsoleOptions = {}
): Layer.Layer<Resource.Resource, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.sync(() => {
    const millis = Math.round(Duration.toMillis(options.metricsExportInterval ?? Duration.minutes(1)))
    // a timer longer than 2^31 - 1 ms would fire at once in Node: the longest one is "never" enough
    const interval = Math.min(2 ** 31 - 1, Math.max(1, millis))
    // built with the layer, so that each build has its own exporters
    return layer({
      ...options,
      spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
      metricReaders: [
        new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: interval })
      ]
    })
  }))

/** OTLP over HTTP with @effect/opentelemetry's own exporters (no OpenTelemetry SDK). */
export const layerOtlp = (options: Otel.OtlpOptions): Layer.Layer<never, never, HttpClient.HttpClient> => {
  const resource = {
    serviceName: options.serviceName ?? defaultServiceName,
    serviceVersion: options.serviceVersion,
    attributes: options.attributes ?? {}
  }
  const traces = options.tracesUrl === undefined ? Layer.empty : OtlpTracer.layer({
    url: options.tracesUrl,
    resource,
    headers: options.tracesHeaders,
    exportInterval: options.tracesExportInterval,
    shutdownTimeout: options.shutdownTimeout
  })
  const metrics = options.metricsUrl === undefined ? Layer.empty : OtlpMetrics.layer({
    url: options.metricsUrl,
    resource,
    headers: options.metricsHeaders,
    exportInterval: options.metricsExportInterval,
    shutdownTimeout: options.shutdownTimeout
  })
  return Layer.merge(traces, metrics).pipe(
    Layer.provide(options.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf)
  )
}

/** {@link layerOtlp} with its options from a `Config`. */
export const layerOtlpConfig = (
  config: Config.Config<Otel.OtlpOptions>
): Layer.Layer<never, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config, layerOtlp))

/** OTLP from the standard environment variables, over `fetch`. */
export const layerOtlpFromEnv: Layer.Layer<never, ConfigError.ConfigError> = layerOtlpConfig(otlpConfig).pipe(
  Layer.provide(FetchHttpClient.layer)
)
