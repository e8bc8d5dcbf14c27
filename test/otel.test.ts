import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as OtelApi from "@opentelemetry/api"
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { ConfigProvider, Duration, Effect, FastCheck, Layer, Metric } from "effect"
import * as LaneMetrics from "../src/LaneMetrics.js"
import * as LaneQueue from "../src/LaneQueue.js"
import { Otel } from "../src/otel/index.js"
import * as Strategy from "../src/Strategy.js"
import { queueLayer } from "./utils/harness.js"

// A session: a submit, a submit by tool, a batch with a failure, an enqueued task and a turn of three
// reads, all under the caller's own span. Every task opens a span of its own (`tool.<name>`).
const tool = (name: string) => Effect.withSpan(Effect.succeed(name), `tool.${name}`)

const session = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  yield* queue.submit("execute", tool("bash"))
  yield* queue.submitByTool("web_fetch", tool("web_fetch"))
  yield* queue.submitBatch("query", [
    tool("grep"),
    tool("glob"),
    Effect.withSpan(Effect.fail("no such file"), "tool.ls")
  ])
  const handle = yield* queue.enqueue("generate", tool("llm"))
  yield* handle.await
  const calls = ["a", "b", "c"].map((id) => ({ id, name: "read" }))
  yield* Strategy.runTurn(queue, calls, (call) => tool(`read-${call.id}`))
}).pipe(Effect.withSpan("agent.turn"))

/** The query lane's submitted and completed counters in Effect's (process-wide) registry. */
const queryCount = (counter: Metric.Metric.Counter<number>) =>
  Effect.map(Metric.value(counter.pipe(Metric.tagged("lane", "query"))), (state) => state.count)

const queryCounts = Effect.all({
  submitted: queryCount(LaneMetrics.counters.submitted),
  completed: queryCount(LaneMetrics.counters.completed)
})

interface SpanTree {
  readonly byName: (name: string) => ReadonlyArray<ReadableSpan>
  readonly parentName: (span: ReadableSpan) => string | undefined
}

const spanTree = (spans: ReadonlyArray<ReadableSpan>): SpanTree => {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]))
  return {
    byName: (name) => spans.filter((span) => span.name === name),
    parentName: (span) => {
      const parentId = span.parentSpanContext?.spanId
      return parentId === undefined ? undefined : byId.get(parentId)?.name
    }
  }
}

/** The single span named `name`. */
const only = (tree: SpanTree, name: string): ReadableSpan => {
  const found = tree.byName(name)
  expect(found.map((span) => span.name)).toEqual([name])
  const [span] = found
  if (span === undefined) throw new Error(`no span ${name}`)
  return span
}

/**
 * An OpenTelemetry context manager for synchronous code: `with` makes a context active while its
 * function runs (Effect's tracer `context` step runs each fiber step synchronously inside it).
 */
class StackContextManager implements OtelApi.ContextManager {
  private readonly stack: Array<OtelApi.Context> = []
  active(): OtelApi.Context {
    return this.stack[this.stack.length - 1] ?? OtelApi.ROOT_CONTEXT
  }
  with<A extends Array<unknown>, F extends (...args: A) => ReturnType<F>>(
    context: OtelApi.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.stack.push(context)
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.stack.pop()
    }
  }
  bind<T>(_context: OtelApi.Context, target: T): T {
    return target
  }
  enable(): this {
    return this
  }
  disable(): this {
    this.stack.length = 0
    return this
  }
}

describe("Otel.layer (the OpenTelemetry SDK with in-memory exporters)", () => {
  it.effect.each([true, false])(
    "otelContext %s: code on @opentelemetry/api inside an Effect span sees it as active only with the context step",
    (otelContext) =>
      Effect.gen(function*() {
        const exporter = new InMemorySpanExporter()
        OtelApi.context.disable()
        expect(OtelApi.context.setGlobalContextManager(new StackContextManager())).toBe(true)
        const [active, outer] = yield* Effect.withSpan(
          Effect.all([
            Effect.sync(() => OtelApi.trace.getActiveSpan()?.spanContext().spanId),
            Effect.map(Effect.currentSpan, (span) => span.spanId)
          ]),
          "outer"
        ).pipe(
          Effect.provide(Otel.layer({ spanProcessors: [new SimpleSpanProcessor(exporter)], otelContext })),
          Effect.ensuring(Effect.sync(() => OtelApi.context.disable()))
        )
        expect(active).toBe(otelContext ? outer : undefined)
      })
  )

  it.effect("the resource: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; a malformed one fails naming it", () =>
    Effect.gen(function*() {
      const exporter = new InMemorySpanExporter()
      const layer = Otel.layer({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
      const env = (entries: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(entries)))
      const resource = yield* Effect.withSpan(Effect.void, "one").pipe(
        Effect.zipRight(Effect.sync(() => exporter.getFinishedSpans()[0]?.resource.attributes)),
        Effect.provide(layer),
        Effect.withConfigProvider(env({ OTEL_SERVICE_NAME: "agent", OTEL_RESOURCE_ATTRIBUTES: "team=lanes" }))
      )
      expect(resource).toMatchObject({ "service.name": "agent", team: "lanes" })
      const error = yield* Effect.flip(
        Effect.void.pipe(
          Effect.provide(layer),
          Effect.withConfigProvider(env({ OTEL_RESOURCE_ATTRIBUTES: "team" }))
        )
      )
      expect(String(error)).toContain("Invalid data at OTEL_RESOURCE_ATTRIBUTES")
    }))

  it.effect.each([true, false])(
    "the queue's spans reach the span exporter, each task's span under its submitter's (otelContext: %s)",
    (otelContext) =>
      Effect.gen(function*() {
        const exporter = new InMemorySpanExporter()
        const layer = Otel.layer({
          serviceName: "otel-test",
          spanProcessors: [new SimpleSpanProcessor(exporter)],
          otelContext
        })
        // read inside the layer: closing it shuts the exporter down, which empties it
        const spans = yield* Effect.zipRight(session, Effect.sync(() => [...exporter.getFinishedSpans()])).pipe(
          Effect.provide(queueLayer()),
          Effect.provide(layer)
        )
        const tree = spanTree(spans)
        const turn = only(tree, "agent.turn")
        expect(turn.resource.attributes["service.name"]).toBe("otel-test")

        // the per-task entry points (traced only when a tracer is installed) sit under the caller's span
        for (
          const [entry, task] of [
            ["LaneQueue.submit", "tool.bash"],
            ["LaneQueue.submitByTool", "tool.web_fetch"],
            ["LaneQueue.enqueue", "tool.llm"]
          ] as const
        ) {
          expect(tree.parentName(only(tree, entry))).toBe("agent.turn")
          expect(tree.parentName(only(tree, task))).toBe(entry)
        }
        // one span for the batch, its three tasks under it, the failed one marked as an error
        const batches = tree.byName("LaneQueue.submitBatch")
        const sessionBatch = batches.filter((span) => tree.parentName(span) === "agent.turn")
        expect(sessionBatch).toHaveLength(1)
        for (const name of ["tool.grep", "tool.glob", "tool.ls"]) {
          expect(tree.parentName(only(tree, name))).toBe("LaneQueue.submitBatch")
        }
        expect(only(tree, "tool.ls").status.code).toBe(2) // SpanStatusCode.ERROR
        expect(only(tree, "tool.grep").status.code).not.toBe(2)

        // the turn: its calls go through the queue (a batch, or submits when planned sequential)
        expect(tree.parentName(only(tree, "Strategy.runTurn"))).toBe("agent.turn")
        for (const id of ["a", "b", "c"]) {
          const entry = tree.parentName(only(tree, `tool.read-${id}`))
          expect(entry).toMatch(/^LaneQueue\./)
          const entrySpan = spans.find((span) =>
            span.name === entry &&
            tree.byName(`tool.read-${id}`)[0]?.parentSpanContext?.spanId === span.spanContext().spanId
          )
          expect(entrySpan === undefined ? undefined : tree.parentName(entrySpan)).toBe("Strategy.runTurn")
        }
        // the session and the lane on each entry point's span; the batch's size; the turn's number of calls
        const sessionId = only(tree, "LaneQueue.submit").attributes["effect_lanes.session_id"]
        expect(typeof sessionId).toBe("string")
        expect(only(tree, "LaneQueue.submit").attributes).toMatchObject({ "effect_lanes.lane": "execute" })
        expect(only(tree, "LaneQueue.submitByTool").attributes).toMatchObject({
          "effect_lanes.session_id": sessionId,
          "effect_lanes.lane": "query",
          "effect_lanes.tool": "web_fetch"
        })
        expect(only(tree, "LaneQueue.enqueue").attributes).toMatchObject({ "effect_lanes.lane": "generate" })
        expect(sessionBatch[0]?.attributes).toMatchObject({ "effect_lanes.lane": "query", "effect_lanes.tasks": 3 })
        expect(only(tree, "Strategy.runTurn").attributes).toMatchObject({ "effect_lanes.calls": 3 })
        // one trace
        expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1)
      })
  )

  it.effect("with a tracer installed, submitByTool classifies the call once, and its span names the lane it ran on", () =>
    Effect.gen(function*() {
      const exporter = new InMemorySpanExporter()
      let classified = 0
      // a classifier that answers differently each time: a second call would move the task to another lane
      const classify = () => ({ readOnly: ++classified % 2 === 1 })
      const lane = yield* Effect.gen(function*() {
        const queue = yield* LaneQueue.LaneQueue
        return yield* queue.submitByTool("probe", Effect.map(Effect.currentSpan, () => "ran"))
      }).pipe(
        Effect.zipRight(Effect.sync(() => exporter.getFinishedSpans())),
        Effect.provide(queueLayer({ strategy: { tools: { probe: { classify } } } })),
        Effect.provide(Otel.layer({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
      )
      expect(classified).toBe(1)
      const span = lane.find((candidate) => candidate.name === "LaneQueue.submitByTool")
      expect(span?.attributes["effect_lanes.lane"]).toBe("query")
    }))

  it.effect("the lane counters reach the metric exporter", () =>
    Effect.gen(function*() {
      const before = yield* queryCounts
      const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
      const exported = yield* Effect.gen(function*() {
        yield* session
        // a collection now rather than at the hour: what the reader would send
        yield* Effect.promise(() => reader.forceFlush())
        return exporter.getMetrics()
      }).pipe(Effect.provide(queueLayer()), Effect.provide(Otel.layer({ metricReaders: [reader] })))

      const after = yield* queryCounts
      // the batch's three tasks, the web_fetch and the turn's three reads (wherever the planner put them)
      expect(after.submitted - before.submitted).toBe(7)
      expect(after.completed - before.completed).toBe(6)

      const metrics = exported.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      const exportedCount = (name: string) => {
        const metric = metrics.find((candidate) => candidate.descriptor.name === name)
        expect(metric?.dataPointType).toBe(DataPointType.SUM)
        const point = metric?.dataPoints.find((candidate) => candidate.attributes["lane"] === "query")
        return point?.value
      }
      expect(exportedCount("effect_lanes_tasks_submitted")).toBe(after.submitted)
      expect(exportedCount("effect_lanes_tasks_completed")).toBe(after.completed)
      expect(metrics.map((metric) => metric.descriptor.name)).toEqual(
        // a summary goes out as its quantiles, count and sum
        expect.arrayContaining([
          "effect_lanes_tasks_failed",
          "effect_lanes_wait_millis_quantiles",
          "effect_lanes_run_millis_count"
        ])
      )
    }))
})

// ---------------------------------------------------------------------------------------------
// OTLP configured from the environment
// ---------------------------------------------------------------------------------------------

const fromEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(Otel.otlpConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))

/** The message of the `ConfigError` the env fails with. */
const failure = (env: Record<string, string>) => Effect.map(Effect.flip(fromEnv(env)), String)

const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }

describe("Otel.otlpConfig (OTLP from the OTEL_* variables)", () => {
  it.effect("the base endpoint gets each signal's path, with one slash between", () =>
    Effect.gen(function*() {
      for (
        const [base, traces, metrics] of [
          ["http://collector:4318", "http://collector:4318/v1/traces", "http://collector:4318/v1/metrics"],
          ["http://collector:4318/", "http://collector:4318/v1/traces", "http://collector:4318/v1/metrics"],
          [
            "https://otlp.example.com/api/otlp",
            "https://otlp.example.com/api/otlp/v1/traces",
            "https://otlp.example.com/api/otlp/v1/metrics"
          ],
          [
            "https://otlp.example.com/api/otlp/",
            "https://otlp.example.com/api/otlp/v1/traces",
            "https://otlp.example.com/api/otlp/v1/metrics"
          ]
        ] as const
      ) {
        const options = yield* fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: base })
        expect([options.tracesUrl, options.metricsUrl]).toEqual([traces, metrics])
      }
    }))

  it.effect("a signal's own endpoint is used as it is, and alone exports that signal only", () =>
    Effect.gen(function*() {
      const both = yield* fromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:9999/custom" })
      expect([both.tracesUrl, both.metricsUrl]).toEqual([
        "http://traces:9999/custom",
        "http://collector:4318/v1/metrics"
      ])
      const tracesOnly = yield* fromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:4318/v1/traces" })
      expect([tracesOnly.tracesUrl, tracesOnly.metricsUrl]).toEqual(["http://traces:4318/v1/traces", undefined])
      const metricsOnly = yield* fromEnv({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://metrics:4318/m" })
      expect([metricsOnly.tracesUrl, metricsOnly.metricsUrl]).toEqual([undefined, "http://metrics:4318/m"])
    }))

  it.effect("defaults: protobuf, service effect-lanes, no headers; empty values count as unset", () =>
    Effect.gen(function*() {
      const options = yield* fromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: " ", OTEL_SERVICE_NAME: "" })
      expect(options).toMatchObject({
        protocol: "http/protobuf",
        serviceName: "effect-lanes",
        tracesHeaders: {},
        metricsHeaders: {}
      })
      // OTEL_RESOURCE_ATTRIBUTES is left to @effect/opentelemetry, which reads it itself
      expect(options.attributes).toBeUndefined()
    }))

  it.effect("headers: k=v pairs, percent-decoded, a value may hold '='; signal headers add over them", () =>
    Effect.gen(function*() {
      const options = yield* fromEnv({
        ...endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Basic%20dXNlcjpwYXNz==, x-tenant = t1 ,",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-tenant=traces"
      })
      expect(options.metricsHeaders).toEqual({ authorization: "Basic dXNlcjpwYXNz==", "x-tenant": "t1" })
      expect(options.tracesHeaders).toEqual({ authorization: "Basic dXNlcjpwYXNz==", "x-tenant": "traces" })
    }))

  it.effect.prop(
    "headers: any names and values, percent-encoded, read back as they were",
    [FastCheck.dictionary(FastCheck.stringMatching(/^[a-z0-9-]{1,12}$/), FastCheck.string())],
    ([headers]) =>
      Effect.gen(function*() {
        const text = Object.entries(headers)
          .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
          .join(",")
        const options = yield* fromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: text })
        expect(options.tracesHeaders).toEqual(headers)
      })
  )

  it.effect("the service name: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES", () =>
    Effect.gen(function*() {
      const attributes = "service.name=from-attributes,deployment.environment=staging"
      const fromAttributes = yield* fromEnv({ ...endpoint, OTEL_RESOURCE_ATTRIBUTES: attributes })
      expect(fromAttributes.serviceName).toBe("from-attributes")
      // the other attributes are read by @effect/opentelemetry itself: passing them too would export a
      // percent-encoded key twice
      expect(fromAttributes.attributes).toBeUndefined()
      const named = yield* fromEnv({ ...endpoint, OTEL_RESOURCE_ATTRIBUTES: attributes, OTEL_SERVICE_NAME: "agent" })
      expect(named.serviceName).toBe("agent")
    }))

  it.effect("protocol and intervals", () =>
    Effect.gen(function*() {
      const options = yield* fromEnv({
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "250",
        OTEL_METRIC_EXPORT_INTERVAL: "15000"
      })
      expect(options.protocol).toBe("http/json")
      const millis = (input: Duration.DurationInput | undefined) =>
        input === undefined ? undefined : Duration.toMillis(input)
      expect(millis(options.tracesExportInterval)).toBe(250)
      expect(millis(options.metricsExportInterval)).toBe(15_000)
    }))

  it.effect("no endpoint at all: a ConfigError naming OTEL_EXPORTER_OTLP_ENDPOINT", () =>
    Effect.gen(function*() {
      const message = yield* failure({ OTEL_SERVICE_NAME: "agent" })
      expect(message).toContain("OTEL_EXPORTER_OTLP_ENDPOINT")
      expect(message).toContain("Missing data")
    }))

  it.effect("a malformed value: a ConfigError naming its variable", () =>
    Effect.gen(function*() {
      for (
        const [key, value] of [
          ["OTEL_EXPORTER_OTLP_HEADERS", "api-key"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "=value"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "bad name=value"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "k=%E0%A4%A"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "k=a%0D%0Ainjected: yes"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "k=€"],
          ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "k"],
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"],
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"],
          ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "grpc://collector:4317"],
          ["OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"],
          ["OTEL_RESOURCE_ATTRIBUTES", "team"],
          ["OTEL_BSP_SCHEDULE_DELAY", "5 seconds"],
          ["OTEL_METRIC_EXPORT_INTERVAL", "0"]
        ] as const
      ) {
        const message = yield* failure({ ...endpoint, [key]: value })
        expect(message, `${key}=${value}`).toContain(`Invalid data at ${key}`)
      }
    }))

  it.effect("layerOtlpFromEnv without an endpoint fails to build, naming OTEL_EXPORTER_OTLP_ENDPOINT", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Layer.build(Otel.layerOtlpFromEnv)))
      expect(String(error)).toContain("OTEL_EXPORTER_OTLP_ENDPOINT")
    }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
})

interface Recorded {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: number
  readonly text: string
}

/** An `HttpClient` that answers 200 to every request and keeps what was sent. */
const recordingClient = () => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const body = request.body._tag === "Uint8Array" ? request.body.body : new Uint8Array()
      requests.push({
        url: request.url,
        headers: request.headers,
        bytes: body.length,
        text: new TextDecoder().decode(body)
      })
      return HttpClientResponse.fromWeb(request, new Response(null, { status: 200 }))
    })
  )
  return { client, requests }
}

/** `layerOtlpConfig(otlpConfig)` over `client`, its variables from `env`. */
const otlpLayer = (client: HttpClient.HttpClient, env: Record<string, string>) =>
  Otel.layerOtlpConfig(Otel.otlpConfig).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, client)),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )

describe("Otel.layerOtlpConfig (OTLP over HTTP, a recording client)", () => {
  it.effect("the session's spans and counters are posted to the configured URLs with the headers", () =>
    Effect.gen(function*() {
      const { client, requests } = recordingClient()
      const env = {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/otlp",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20t0ken",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "otlp-test"
      }
      // closing the layer sends what is buffered: no export interval has to pass
      yield* session.pipe(Effect.provide(queueLayer()), Effect.provide(otlpLayer(client, env)))

      const traces = requests.filter((request) => request.url === "http://collector:4318/otlp/v1/traces")
      const metrics = requests.filter((request) => request.url === "http://collector:4318/otlp/v1/metrics")
      expect(traces.length).toBeGreaterThan(0)
      expect(metrics.length).toBeGreaterThan(0)
      for (const request of [...traces, ...metrics]) {
        expect(request.headers["authorization"]).toBe("Bearer t0ken")
        expect(request.headers["content-type"]).toBe("application/json")
        expect(request.bytes).toBeGreaterThan(0)
      }
      const sent = traces.map((request) => request.text).join("")
      for (const name of ["agent.turn", "LaneQueue.submit", "LaneQueue.submitBatch", "Strategy.runTurn", "tool.grep"]) {
        expect(sent).toContain(`"name":"${name}"`)
      }
      expect(sent).toContain(`"stringValue":"otlp-test"`)
      const sentMetrics = metrics.map((request) => request.text).join("")
      expect(sentMetrics).toContain(`"name":"effect_lanes_tasks_submitted"`)
    }))

  it.effect("by default protobuf; a traces endpoint alone sends spans only", () =>
    Effect.gen(function*() {
      const { client, requests } = recordingClient()
      yield* session.pipe(
        Effect.provide(queueLayer()),
        Effect.provide(otlpLayer(client, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example.com/in" }))
      )
      expect(requests.length).toBeGreaterThan(0)
      for (const request of requests) {
        expect(request.url).toBe("https://traces.example.com/in")
        expect(request.headers["content-type"]).toBe("application/x-protobuf")
        expect(request.bytes).toBeGreaterThan(0)
      }
      // protobuf carries the span names as plain UTF-8 strings
      expect(requests.map((request) => request.text).join("")).toContain("LaneQueue.submitBatch")
    }))
})
