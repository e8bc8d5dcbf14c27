/**
 * `effect-lanes/otel`: effect-lanes' spans and metrics exported to OpenTelemetry through
 * `@effect/opentelemetry` (an optional entry point; needs `@effect/opentelemetry` 0.64.x and the
 * OpenTelemetry JS SDK 2.x packages it lists as peers installed beside `effect-lanes`:
 * `@opentelemetry/api` 1.9, `resources`, `sdk-trace-base`, `sdk-trace-node`, `sdk-metrics`,
 * `semantic-conventions`).
 *
 * @since 0.1.0
 */

/**
 * Layers exporting the queue's spans and metrics: to the application's span processors and metric
 * readers, to the console, or as OTLP configured from code or from the `OTEL_*` environment variables.
 *
 * @since 0.1.0
 */
export * as Otel from "./Otel.js"
