/**
 * What tracing costs per task: the same workloads with no tracer installed, with `Otel.layer` (the
 * OpenTelemetry SDK, a `BatchSpanProcessor` over an exporter that discards), the same with
 * `otelContext: false` (no OpenTelemetry context entered at every fiber step), and with `Otel.layerOtlp`
 * (@effect/opentelemetry's own OTLP exporter, protobuf, over an `HttpClient` that answers 200 at once).
 *
 * Each contender has its own runtime and session queue (default settings); rounds interleave them,
 * the order rotating each round, after one warm-up round; the figures are the median and the spread
 * (min-max) of the rounds, in µs per task.
 *
 * Run with `npx tsx bench/otel-cost.ts [rounds] [tasks]` (default 5 rounds of 10,000 tasks).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { BatchSpanProcessor, InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, ManagedRuntime } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Otel } from "effect-lanes/otel"
import * as os from "node:os"

const rounds = Number(process.argv[2] ?? 5)
const tasks = Number(process.argv[3] ?? 10_000)

let exportedSpans = 0

/** Counts the spans and keeps none. */
class Discard extends InMemorySpanExporter {
  override export(spans: Array<ReadableSpan>, done: Parameters<InMemorySpanExporter["export"]>[1]): void {
    exportedSpans += spans.length
    super.export([], done)
  }
}

const batchOptions = { maxQueueSize: 1 << 17, maxExportBatchSize: 512 }

const answering = HttpClient.make((request) =>
  Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(null, { status: 200 })))
)

const tracers: ReadonlyArray<readonly [string, Layer.Layer<never>]> = [
  ["no tracer", Layer.empty],
  [
    "Otel.layer (SDK)",
    Layer.discard(Layer.orDie(Otel.layer({
      spanProcessors: [new BatchSpanProcessor(new Discard(), batchOptions)]
    })))
  ],
  [
    "... otelContext: false",
    Layer.discard(Layer.orDie(Otel.layer({
      spanProcessors: [new BatchSpanProcessor(new Discard(), batchOptions)],
      otelContext: false
    })))
  ],
  [
    "Otel.layerOtlp",
    Otel.layerOtlp({ tracesUrl: "http://collector.invalid/v1/traces" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, answering))
    )
  ]
]

const workloads: ReadonlyArray<
  readonly [string, (queue: LaneQueue.LaneQueue) => Effect.Effect<unknown, unknown>]
> = [
  [
    `one submitBatch of ${tasks} tasks`,
    (queue) => queue.submitBatch("query", Array.from({ length: tasks }, () => Effect.void))
  ],
  [
    `one submitBatch of ${tasks} tasks, each opening a span`,
    (queue) => queue.submitBatch("query", Array.from({ length: tasks }, () => Effect.withSpan(Effect.void, "tool")))
  ],
  [
    `${tasks} submits, 64 at a time`,
    (queue) =>
      Effect.forEach(Array.from({ length: tasks }), () => queue.submit("query", Effect.void), {
        concurrency: 64,
        discard: true
      })
  ]
]

const runtimes = tracers.map(([name, layer]) => ({
  name,
  runtime: ManagedRuntime.make(
    LaneQueue.layer("bench").pipe(Layer.provide(LanesConfig.layerWith({})), Layer.provideMerge(layer))
  )
}))

/** One run of `workload` under `runtime`, in µs per task, inside a span (as an agent's turn would be). */
const timed = (
  runtime: ManagedRuntime.ManagedRuntime<LaneQueue.LaneQueue, never>,
  workload: (queue: LaneQueue.LaneQueue) => Effect.Effect<unknown, unknown>
) =>
  runtime.runPromise(
    Effect.gen(function*() {
      const queue = yield* LaneQueue.LaneQueue
      const start = performance.now()
      yield* workload(queue)
      return ((performance.now() - start) * 1000) / tasks
    }).pipe(Effect.withSpan("bench"))
  )

const median = (sorted: ReadonlyArray<number>) => sorted[Math.floor(sorted.length / 2)] ?? Number.NaN

console.log(`load average ${os.loadavg().map((load) => load.toFixed(2)).join(" ")}, ${os.cpus().length} cores`)
for (const [workload, run] of workloads) {
  const samples = runtimes.map(() => new Array<number>())
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < runtimes.length; k++) {
      const index = (k + round) % runtimes.length
      const contender = runtimes[index]
      if (contender === undefined) continue
      const micros = await timed(contender.runtime, run)
      if (round > 0) samples[index]?.push(micros)
    }
  }
  console.log(workload)
  runtimes.forEach(({ name }, index) => {
    const sorted = [...(samples[index] ?? [])].sort((a, b) => a - b)
    const spread = `${(sorted[0] ?? Number.NaN).toFixed(2)}-${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(2)}`
    console.log(`  ${name.padEnd(22)} ${median(sorted).toFixed(2).padStart(6)} µs/task  (${spread})`)
  })
}
for (const { runtime } of runtimes) await runtime.dispose()
console.log(`spans exported through the SDK: ${exportedSpans}`)
