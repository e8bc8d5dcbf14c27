/**
 * Smoke test of the command-line program: every benchmark scenario runs in-process at tiny
 * sizes; the test checks the shape of each result and that every figure is a finite positive number. No
 * timing is asserted.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, type Console, Duration, Effect, Exit, Layer, Option } from "effect"
import * as http from "node:http"
import { fileURLToPath } from "node:url"
import * as App from "../src/app.js"
import * as FastLocal from "../src/bench/fastLocal.js"
import * as Memory from "../src/bench/memory.js"
import * as PlanGrid from "../src/bench/planGrid.js"
import * as QueueCost from "../src/bench/queueCost.js"
import * as RuntimeSizing from "../src/bench/runtimeSizing.js"
import * as TaskIds from "../src/bench/taskIds.js"
import * as ThreadPool from "../src/bench/threadPool.js"
import * as TurnSpeedup from "../src/bench/turnSpeedup.js"
import { InvalidArgument, ThreadPoolNotApplied } from "../src/errors.js"
import * as Chart from "../src/render/chart.js"
import * as CliConsole from "../src/render/console.js"
import * as Progress from "../src/render/progress.js"
import * as Table from "../src/render/table.js"
import * as Trace from "../src/replay/trace.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const src = fileURLToPath(new URL("../src", import.meta.url))
const env = Layer.mergeAll(NodeContext.layer, Progress.layerSilent)

/** Every number in a value, with its path; `null`/strings/booleans are not figures. */
const figures = (value: unknown, path = "$"): Array<readonly [string, number]> => {
  if (typeof value === "number") return [[path, value]]
  if (Array.isArray(value)) return value.flatMap((item, i) => figures(item, `${path}[${i}]`))
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => figures(item, `${path}.${key}`))
  }
  return []
}

/** Asserts that every figure is finite and positive (counts named in `mayBeZero` may be 0). */
const expectFigures = (value: unknown, mayBeZero: ReadonlyArray<string> = []) => {
  const all = figures(value)
  expect(all.length).toBeGreaterThan(0)
  for (const [path, n] of all) {
    const zeroOk = mayBeZero.some((key) => path.endsWith(`.${key}`))
    expect(Number.isFinite(n), `${path} = ${n}`).toBe(true)
    expect(zeroOk ? n >= 0 : n > 0, `${path} = ${n}`).toBe(true)
  }
}

const rendered = (table: Table.Table) => {
  const text = Table.render(table)
  expect(text.split("\n").length).toBeGreaterThan(3)
  return text
}

describe("bench scenarios (tiny sizes)", () => {
  it.live("turn speed-up: every mode at every N, with a chart", () =>
    Effect.gen(function*() {
      const result = yield* TurnSpeedup.run({ root: src, sizes: [2, 6], latency: Duration.millis(2), runs: 1 })
      expect(result.sizes.map((size) => size.calls)).toEqual([2, 6])
      for (const size of result.sizes) {
        expect(size.modes.map((mode) => mode.mode)).toEqual([
          "sequential",
          "lanes8",
          "lanes16",
          "strategy",
          "costAware"
        ])
      }
      expectFigures(result)
      rendered(TurnSpeedup.table(result))
      const svg = Chart.svg(result)
      expect(svg.startsWith("<svg")).toBe(true)
      expect(svg.match(/<polyline/g)?.length).toBe(5 + 2)
    }).pipe(Effect.provide(env)))

  it.live("plan: regret at every point of a small grid, worst and median", () =>
    Effect.gen(function*() {
      const result = yield* PlanGrid.run({
        root: `${repo}/examples`,
        runs: 1,
        sizes: [1, 3],
        latencies: ["0", "1 ms"],
        mixes: ["reads", "write"]
      })
      expect(result.points).toHaveLength(8)
      expect(result.points.map((p) => [p.latency, p.mix, p.calls])).toContainEqual(["1 ms", "write", 3])
      expect(result.points.find((p) => p.calls === 1)?.bestParallel).toBeUndefined()
      expect(result.worstRegret).toBeGreaterThanOrEqual(result.medianRegret)
      for (const point of result.points) {
        const best = Math.min(point.sequential.median, point.bestParallel?.millis.median ?? Infinity)
        expect(point.regret).toBeCloseTo(point.strategy.median / best)
      }
      rendered(PlanGrid.table(result))
    }).pipe(Effect.provide(env)))

  it.live("fast local work: a ratio per mode", () =>
    Effect.gen(function*() {
      const result = yield* FastLocal.run({ root: `${repo}/examples`, runs: 1 })
      expect(result.calls.map((call) => call.name)).toEqual(
        Array.from({ length: 4 }, () => ["ls", "glob", "read"]).flat()
      )
      expect(result.rows).toHaveLength(5)
      expectFigures(result)
      rendered(FastLocal.table(result))
    }).pipe(Effect.provide(env)))

  it.live("queue cost: every contender with its ratio to Effect.forEach", () =>
    Effect.gen(function*() {
      const result = yield* QueueCost.run({ tasks: 200, concurrency: 4, warmup: 0, rounds: 1 })
      expect(result.rows.map((row) => row.name)).toEqual([
        "Effect.forEach",
        "p-queue",
        "p-limit",
        "fiber per task + Semaphore",
        "submit, 1 lane",
        "submitBatch, 1 lane",
        "submit, 4 lanes",
        "submitBatch, 4 lanes"
      ])
      expect(result.rows[0]?.ratioToForEach).toBe(1)
      expectFigures(result)
      rendered(QueueCost.table(result))
    }).pipe(Effect.provide(env)))

  it.live("task IDs: ns per ID for the counter and for randomUUID", () =>
    Effect.gen(function*() {
      const result = yield* TaskIds.run({ ids: 2000, warmup: 0, rounds: 1 })
      expect(result.rows).toHaveLength(5)
      expectFigures(result)
      rendered(TaskIds.table(result))
    }).pipe(Effect.provide(env)))

  it.live("memory: heap before, pending and drained for each round", () =>
    Effect.gen(function*() {
      const result = yield* Memory.run({ tasks: 2000, rounds: 2 })
      expect(result.rounds).toHaveLength(2)
      expectFigures({ ...result, gcForced: undefined })
      rendered(Memory.table(result))
    }).pipe(Effect.provide(env)))

  it.live("runtime sizing: child processes per pool size, and the size to pass", () =>
    Effect.gen(function*() {
      const result = yield* RuntimeSizing.run({ root: src, sizes: [4, 8], reads: 8, iterations: 2, rounds: 1 })
      expect(result.rows.map((row) => row.size)).toEqual([4, 8])
      expect([4, 8]).toContain(result.chosen)
      expectFigures(result)
      const text = rendered(RuntimeSizing.table(result))
      expect(text).toContain(
        result.chosen === 4 ? "nothing to set" : `--uv-threadpool-size ${result.chosen}`
      )
    }).pipe(Effect.provide(env)))
})

describe("command line", () => {
  const run = (...args: Array<string>) =>
    Effect.exit(App.cli(["node", "effect-lanes", ...args])).pipe(Effect.provide(env))

  /** Runs a command line that must fail, and returns its failure. */
  const failure = (...args: Array<string>) =>
    Effect.gen(function*() {
      const exit = yield* run(...args)
      if (Exit.isSuccess(exit)) return expect.fail(`${args.join(" ")} succeeded`)
      return yield* Effect.flip(exit)
    })

  /** The message of a validation error, as @effect/cli prints it. */
  const printed = (error: unknown): string => {
    if (!ValidationError.isValidationError(error)) return expect.fail(`not a validation error: ${String(error)}`)
    return HelpDoc.toAnsiText(error.error).trim()
  }

  it.live("every bad value is rejected by @effect/cli with one line naming the option", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["bench", "--runs", "0"], "invalid --runs: expected an integer from 1 to 1000, got \"0\""],
        [["bench", "--runs", "abc"], "invalid --runs: expected an integer from 1 to 1000, got \"abc\""],
        [["bench", "--tasks", "1.5"], "invalid --tasks: expected an integer from 1 to 10000000, got \"1.5\""],
        [["bench", "--concurrency", "1025"], "invalid --concurrency: expected an integer from 1 to 1024"],
        [["bench", "--sizes", "2,x"], "invalid --sizes: expected comma-separated integers from 1 to 1024"],
        [["bench", "--sizes", ","], "invalid --sizes: expected comma-separated integers from 1 to 1024"],
        [["bench", "--pool-sizes", "0"], "invalid --pool-sizes: expected comma-separated integers from 1 to 1024"],
        [["bench", "--latency", "soon"], "invalid --latency: expected a duration such as \"20 millis\""],
        [["bench", "--latency", "-5 millis"], "invalid --latency: expected a duration"],
        [["replay", "--runs", "0", "README.md"], "invalid --runs: expected an integer from 1 to 1000"],
        [["replay", "--parallel-min-tools", "0", "README.md"], "invalid --parallel-min-tools: expected an integer"],
        [["--uv-threadpool-size", "1025", "bench"], "invalid --uv-threadpool-size: expected an integer from 1 to 1024"],
        [["bench", "--dir", "/no/such/directory"], "Path '/no/such/directory' must exist"],
        [["bench", "--dir", `${repo}/README.md`], "to be a directory"],
        [["replay", "/no/such/trace.jsonl"], "Path '/no/such/trace.jsonl' must exist"],
        [["replay", repo], "to be a regular file"]
      ]
      for (const [args, message] of cases) {
        const text = printed(yield* failure(...args))
        expect(text, args.join(" ")).toContain(message)
        expect(text.split("\n"), args.join(" ")).toHaveLength(1)
      }
    }))

  it.live("a bad value is a usage error: exit code 2", () =>
    Effect.gen(function*() {
      const error = yield* failure("bench", "--runs", "0")
      const exitCode = process.exitCode
      yield* App.reportFailure(Cause.fail(error))
      expect(process.exitCode).toBe(2)
      process.exitCode = exitCode
    }))

  it.live("--chart without the turn scenario is refused", () =>
    Effect.gen(function*() {
      const error = yield* failure("bench", "-s", "ids", "--chart", "speedup.svg")
      expect(error).toBeInstanceOf(InvalidArgument)
    }))

  it.live("--uv-threadpool-size fails, before the subcommand runs, unless the pool in force has that size", () =>
    Effect.gen(function*() {
      const requested = ThreadPool.current() === 7 ? 9 : 7
      const error = yield* failure("--uv-threadpool-size", String(requested), "bench", "-s", "ids", "--ids", "1")
      expect(error).toBeInstanceOf(ThreadPoolNotApplied)
      expect(error instanceof Error ? error.message : "").toContain(
        `--uv-threadpool-size ${requested} only takes effect through the effect-lanes executable`
      )
      expect(yield* Effect.exit(ThreadPool.check(Option.some(ThreadPool.current())))).toEqual(Exit.void)
      expect(yield* Effect.exit(ThreadPool.check(Option.none()))).toEqual(Exit.void)
    }))

  it.live("--otel without a collector's address fails naming OTEL_EXPORTER_OTLP_ENDPOINT", () =>
    Effect.gen(function*() {
      const error = yield* failure("--otel", "bench", "-s", "ids", "--ids", "1", "--rounds", "1").pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      )
      expect(String(error)).toContain("OTEL_EXPORTER_OTLP_ENDPOINT")
    }))

  it.live("--otel exports the run's spans and metrics to the collector of OTEL_EXPORTER_OTLP_ENDPOINT", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const server = yield* Effect.acquireRelease(
        Effect.async<http.Server>((resume) => {
          const server = http.createServer((request, response) => {
            request.resume()
            request.on("end", () => {
              received.push(`${request.url} ${request.headers.authorization ?? ""}`)
              response.writeHead(200, { "content-type": "application/json" }).end("{}")
            })
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const config = new Map([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${port}`],
        ["OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20token"]
      ])
      const quiet: Console.Console = { ...(yield* Effect.console), log: () => Effect.void }
      const exit = yield* run("--otel", "bench", "-s", "queue", "--tasks", "50", "--rounds", "1").pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(config)),
        Effect.withConsole(quiet)
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(received).toEqual(expect.arrayContaining(["/v1/traces Bearer token", "/v1/metrics Bearer token"]))
    }).pipe(Effect.scoped))

  it.live("an unreadable trace fails with TraceUnreadable", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Trace.read("/no/such/trace.jsonl")).pipe(Effect.provide(env))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("TraceUnreadable")
    }))
})

describe("ThreadPool.current", () => {
  it("reads UV_THREADPOOL_SIZE as libuv does: atoi, 0 -> 1, at most 1024, unset -> 4", () => {
    const saved = process.env.UV_THREADPOOL_SIZE
    const cases: ReadonlyArray<readonly [string | undefined, number]> = [
      [undefined, 4],
      ["8", 8],
      ["0", 1],
      ["", 1],
      ["0x10", 1],
      ["1e3", 1],
      [" 12", 12],
      ["-3", 1024],
      ["5000", 1024]
    ]
    try {
      for (const [text, size] of cases) {
        if (text === undefined) delete process.env.UV_THREADPOOL_SIZE
        else process.env.UV_THREADPOOL_SIZE = text
        expect(ThreadPool.current(), String(text)).toBe(size)
      }
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE
      else process.env.UV_THREADPOOL_SIZE = saved
    }
  })
})

describe("help", () => {
  const help = (...args: Array<string>) =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const console: Console.Console = {
        ...(yield* Effect.console),
        log: (...parts) => Effect.sync(() => lines.push(parts.join(" ")))
      }
      // the program's console (render/console.ts) over one that records; stdout is not a terminal under vitest
      yield* App.cli(["node", "effect-lanes", ...args, "--help"]).pipe(
        Effect.provide(CliConsole.layer),
        Effect.withConsole(console),
        Effect.provide(env)
      )
      return lines.join("\n")
    })

  it.live("every option and argument has a description, with its default; no placeholder, no escape codes", () =>
    Effect.gen(function*() {
      for (const command of [[], ["bench"], ["replay"]]) {
        const text = yield* help(...command)
        expect(text).not.toContain("A user-defined piece of text")
        expect(text).not.toContain("\u001b[")
        expect(text).not.toMatch(/the issue/i)
        // every entry of the OPTIONS / ARGUMENTS lists: a usage line, then at least one line of description
        const entries = text.split(/\n(?=\S)/).filter((entry) => /^(\(|--|<)/.test(entry))
        expect(entries.length).toBeGreaterThan(0)
        for (const entry of entries) {
          expect(entry.split("\n").filter((line) => line.trim() !== "").length).toBeGreaterThan(1)
        }
      }
      const bench = yield* help("bench")
      for (
        const shown of [
          "Default: 2,4,6,8,10,12.",
          "Default: 20 millis.",
          "Default: 5.",
          "Default: 3000.",
          "Default: 8."
        ]
      ) {
        expect(bench).toContain(shown)
      }
      expect(yield* help("replay")).toContain("Default: the current directory.")
      expect(yield* help()).toContain("--uv-threadpool-size N")
    }))

  it("clean strips escape codes only for plain output, and always the placeholder line", () => {
    const text = "\u001b[1m--x text\u001b[0m\n\n  A user-defined piece of text.\n\n  What x is.\n"
    expect(CliConsole.clean(text, true)).toBe("--x text\n\n  What x is.\n")
    expect(CliConsole.clean(text, false)).toBe("\u001b[1m--x text\u001b[0m\n\n  What x is.\n")
  })
})
