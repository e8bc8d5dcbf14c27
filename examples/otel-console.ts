/**
 * OpenTelemetry: the queue's spans and metrics through the OpenTelemetry SDK, printed to the console.
 *
 * `Otel.layerConsole()` installs `@effect/opentelemetry`'s tracer over the SDK's `ConsoleSpanExporter`
 * (each span printed as it ends) and a metric reader over its `ConsoleMetricExporter` (the
 * `effect_lanes_*` Metrics printed when the layer closes). Nothing in the queue changes. For a real
 * backend, provide `Otel.layerOtlpFromEnv` instead (set `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g.
 * `http://localhost:4318`), or `Otel.layer({ spanProcessors, metricReaders })` with your own SDK
 * processors and readers.
 *
 * Run with `npx tsx examples/otel-console.ts` (offline; exits when done).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { LaneQueue, LanesConfig, Strategy } from "effect-lanes"
import { Otel } from "effect-lanes/otel"

// A tool call opens its own span, which the queue puts under the span of the call that submitted it.
const tool = (name: string, millis: number) =>
  Effect.sleep(`${millis} millis`).pipe(Effect.as(`${name} done`), Effect.withSpan(`tool.${name}`))

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  yield* queue.submitByTool("bash", tool("bash", 5))
  // One model turn of two reads: one batch on the query lane, both calls in parallel.
  const calls = [{ id: "call-1", name: "read" }, { id: "call-2", name: "grep" }]
  const exits = yield* Strategy.runTurn(queue, calls, (call) => tool(call.name, 10))
  yield* Console.log(`\nturn: ${exits.length} calls done; the spans above are its trace, the metrics follow\n`)
}).pipe(Effect.withSpan("agent.turn"))

program.pipe(
  Effect.provide(LaneQueue.layer("session-otel")),
  Effect.provide(LanesConfig.layerWith({})),
  Effect.provide(Otel.layerConsole({ serviceName: "otel-console-example" })),
  NodeRuntime.runMain
)
