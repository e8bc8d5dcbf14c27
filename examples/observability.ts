/**
 * Observability: traces and metrics of a session queue.
 *
 * Once a tracer is installed, every public operation of the queue is a span (`LaneQueue.submit`,
 * `LaneQueue.submitByTool`, `LaneQueue.submitBatch`, ...), and `Strategy.runTurn` is one too, so
 * any Effect `Tracer` sees them. Here a small custom tracer (`Tracer.make` + `Layer.setTracer`)
 * records the spans in memory and prints the tree. With OpenTelemetry, provide one of
 * `effect-lanes/otel`'s layers (`Otel.layerOtlpFromEnv`, `Otel.layer(...)`; see
 * `examples/otel-console.ts`) instead of `Layer.setTracer(recording.tracer)` and the same spans
 * export as they are, to any OpenTelemetry collector; nothing in the queue changes.
 *
 * The queue's counters and latency summaries are Effect `Metric`s tagged by `lane`
 * (`effect_lanes_*`), readable with `Metric.snapshot` or exported by OpenTelemetry's metric reader;
 * `queue.metrics` returns the same counts with p50/p90/p95/p99 as plain numbers.
 *
 * Run with `npx tsx examples/observability.ts`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Exit, Layer, Metric, MetricState, Option, Tracer } from "effect"
import { LaneQueue, LanesConfig, RetryPolicy, Strategy } from "effect-lanes"

// ---------------------------------------------------------------------------------------------
// A tracer that records spans in memory
// ---------------------------------------------------------------------------------------------

interface RecordedSpan {
  readonly name: string
  readonly spanId: string
  readonly parentId: string | undefined
  readonly startTime: bigint
  endTime: bigint | undefined
  failed: boolean
}

const makeRecordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  let counter = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const spanId = `span-${++counter}`
      const traceId = Option.match(parent, { onNone: () => `trace-${counter}`, onSome: (p) => p.traceId })
      const record: RecordedSpan = {
        name,
        spanId,
        parentId: Option.getOrUndefined(Option.map(parent, (p) => p.spanId)),
        startTime,
        endTime: undefined,
        failed: false
      }
      spans.push(record)
      const attributes = new Map<string, unknown>()
      const allLinks = [...links]
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        context,
        get status() {
          return status
        },
        attributes,
        links: allLinks,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          record.endTime = endTime
          record.failed = Exit.isFailure(exit)
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event() {},
        addLinks(more) {
          allLinks.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  return { tracer, spans }
}

const recording = makeRecordingTracer()

/** The recorded spans as an indented tree, children in start order. */
const spanTree = (spans: ReadonlyArray<RecordedSpan>): Array<string> => {
  const ids = new Set(spans.map((span) => span.spanId))
  const children = new Map<string | undefined, Array<RecordedSpan>>()
  for (const span of spans) {
    const parent = span.parentId !== undefined && ids.has(span.parentId) ? span.parentId : undefined
    children.set(parent, [...(children.get(parent) ?? []), span])
  }
  const lines: Array<string> = []
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const millis = span.endTime === undefined ? "open" : `${Number(span.endTime - span.startTime) / 1e6}`
      const ms = millis === "open" ? millis : `${Number(millis).toFixed(1)} ms`
      lines.push(`${"  ".repeat(depth)}${span.name}  (${ms}${span.failed ? ", failed" : ""})`)
      walk(span.spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines
}

// ---------------------------------------------------------------------------------------------
// Some work
// ---------------------------------------------------------------------------------------------

const tool = (name: string, millis: number) =>
  Effect.sleep(`${millis} millis`).pipe(Effect.as(`${name} done`), Effect.withSpan(`tool.${name}`))

const work = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue

  yield* queue.submit("execute", tool("bash", 10))
  yield* queue.submitByTool("read", tool("read", 10))
  yield* queue.submitBatch("query", [tool("grep", 15), tool("glob", 5), Effect.fail("no such file")])

  // One model turn of 7 reads: the strategy runs it in parallel through the query lane.
  const calls = Array.from({ length: 7 }, (_, i) => ({ id: `call-${i}`, name: "read" }))
  yield* Strategy.runTurn(queue, calls, (call) => tool(call.name, 5 + Number(call.id.slice(5)) * 3))

  // A flaky LLM call on the generate lane (exponential retries): fails twice, then answers.
  let attempts = 0
  yield* queue.submitByTool(
    "llm",
    Effect.suspend(() => ++attempts < 3 ? Effect.fail("overloaded") : Effect.succeed("an answer")).pipe(
      Effect.withSpan("tool.llm")
    )
  )
  return queue
}).pipe(Effect.withSpan("agent.turn"))

const program = Effect.gen(function*() {
  const queue = yield* work

  yield* Console.log("Spans:")
  for (const line of spanTree(recording.spans)) yield* Console.log(`  ${line}`)

  yield* Console.log("\nqueue.metrics:")
  const metrics = yield* queue.metrics
  for (const lane of ["query", "execute", "generate"] as const) {
    const { counts, runMillis, waitMillis } = metrics.lanes[lane]
    yield* Console.log(
      `  ${lane}: ${counts.submitted} submitted, ${counts.completed} completed, ${counts.failed} failed, ` +
        `${counts.retried} retried; run p50 ${runMillis.p50} ms, p99 ${runMillis.p99} ms; ` +
        `wait p99 ${waitMillis.p99} ms`
    )
  }
  yield* Console.log(`  totals: ${JSON.stringify(metrics.totals)}`)

  // The summaries' quantiles are Effect's approximations (1% error), computed over their own
  // samples, so they can differ by a rank from the exact ones of `queue.metrics`.
  yield* Console.log("\nEffect Metrics (effect_lanes_*, non-zero):")
  const snapshot = yield* Metric.snapshot
  for (const pair of snapshot) {
    const { name, tags } = pair.metricKey
    if (!name.startsWith("effect_lanes_")) continue
    const labels = tags.map((tag) => `${tag.key}=${tag.value}`).join(",")
    const state = pair.metricState
    if (MetricState.isCounterState(state) && Number(state.count) > 0) {
      yield* Console.log(`  ${name}{${labels}} ${state.count}`)
    } else if (MetricState.isSummaryState(state) && state.count > 0) {
      const quantiles = state.quantiles
        .map(([q, value]) => `p${Math.round(q * 100)}=${Option.getOrElse(value, () => NaN).toFixed(1)}`)
        .join(" ")
      yield* Console.log(`  ${name}{${labels}} count=${state.count} ${quantiles}`)
    }
  }
})

program.pipe(
  Effect.provide(LaneQueue.layer("session-obs")),
  Effect.provide(LanesConfig.layerWith({ generate: { retry: RetryPolicy.exponential({ initial: "20 millis" }) } })),
  Effect.provide(Layer.setTracer(recording.tracer)),
  NodeRuntime.runMain
)
