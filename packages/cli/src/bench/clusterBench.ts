/**
 * The `cluster` bench scenario (opt-in: `bench -s cluster`). Two measurements:
 *
 * - **the per-call cost of durability**: one session, turns of `calls` no-op tool calls one after the other,
 *   through the in-memory `LaneQueue` (`submit`), through `effect-lanes/cluster` on a SQLite file (one runner in
 *   this process), and on Postgres when `LANES_CLUSTER_DATABASE_URL` is set; milliseconds of wall time per call;
 * - **turns per second with 1, 2 and 3 runners** (Postgres only): runner processes on this machine
 *   (`clusterRunner`), this process a client-only node sending `turns` turns of `calls` no-op calls spread over
 *   `sessions` sessions (each session's turns in order, the sessions at once).
 *
 * Use a scratch Postgres database: the runners create the cluster's tables in it.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as SqlClient from "@effect/sql/SqlClient"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Command, SessionCluster, SessionEntity, ToolRegistry } from "effect-lanes/cluster"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import { extname } from "node:path"
import { fileURLToPath } from "node:url"
import { BenchFailed } from "../errors.js"
import * as Format from "../render/format.js"
import * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Measure from "./measure.js"
import { summarize, type Summary } from "./stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Turns per durability run and per runner-count run. */
  readonly turns: number
  /** No-op calls per turn. */
  readonly calls: number
  /** Sessions the runner-count runs spread their turns over. */
  readonly sessions: number
  /** Recorded rounds of each durability measurement. */
  readonly rounds: number
  /** The directory for the SQLite file. */
  readonly directory: string
}

/**
 * One storage's per-call cost.
 *
 * @since 0.1.0
 * @category models
 */
export interface DurabilityRow {
  readonly storage: string
  readonly calls: number
  readonly millisPerCall: Summary
  /** Median ms/call divided by the in-memory queue's. */
  readonly ratioToMemory: number
}

/**
 * One runner count's throughput.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnersRow {
  readonly runners: number
  readonly turns: number
  readonly seconds: number
  readonly turnsPerSecond: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly calls: number
  readonly turns: number
  readonly sessions: number
  readonly durability: ReadonlyArray<DurabilityRow>
  readonly runners: ReadonlyArray<RunnersRow>
  readonly notes: ReadonlyArray<string>
}

/**
 * The cluster settings of the bench's runners and client: short polling so that a fleet settles in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const benchShardingConfig = {
  shardsPerGroup: 60,
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "5 seconds",
  refreshAssignmentsInterval: "500 millis",
  entityMessagePollInterval: "500 millis",
  entityReplyPollInterval: "50 millis",
  entityTerminationTimeout: "2 seconds"
} as const

/**
 * The bench's one tool: idempotent, returns its arguments.
 *
 * @since 0.1.0
 * @category constants
 */
export const noopTool: ToolRegistry.Tool = ToolRegistry.tool("noop", {
  args: Schema.Struct({ n: Schema.Number }),
  success: Schema.Struct({ n: Schema.Number }),
  traits: { destructive: false, idempotent: true },
  run: (args) => Effect.succeed(args)
})

const turnOf = (prefix: string, turn: number, calls: number) => ({
  turnId: `${prefix}-t${turn}`,
  commands: Array.from(
    { length: calls },
    (_, call) => new Command.Command({ id: `c${call}`, tool: "noop", args: { n: call } })
  )
})

const failed = (reason: unknown) => new BenchFailed({ scenario: "cluster", reason: String(reason) })

/** One session's turns in order, through the cluster; the elapsed ms per call. */
const clusterCalls = (prefix: string, options: Options) =>
  Effect.gen(function*() {
    const sessions = yield* SessionEntity.client
    const session = sessions(`${prefix}-session`)
    const elapsed = yield* Measure.millis(
      Effect.forEach(Array.from({ length: options.turns }, (_, t) => t), (t) =>
        session.RunTurn(turnOf(prefix, t, options.calls)), { discard: true })
    )
    return elapsed / (options.turns * options.calls)
  })

const memoryCalls = (options: Options) =>
  Effect.gen(function*() {
    const queue = yield* LaneQueue.make("bench")
    return (yield* Measure.millis(
      Effect.forEach(
        Array.from({ length: options.turns * options.calls }, (_, n) => n),
        (n) => queue.submit("execute", Effect.succeed({ n })),
        { discard: true }
      )
    )) / (options.turns * options.calls)
  }).pipe(Effect.scoped, Effect.provide(LanesConfig.layerDefaults))

const single = (storage: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  SessionCluster.layerSingle({ shardingConfig: benchShardingConfig }).pipe(
    Layer.provide([ToolRegistry.layer([noopTool]), LanesConfig.layerDefaults]),
    Layer.provide(storage)
  )

/**
 * Node's arguments for a runner process: the runner module beside this one, through tsx's loader when this
 * program runs from its TypeScript sources (the executable set `TSX_TSCONFIG_PATH`, which the child inherits).
 */
const runnerArgs = (): ReadonlyArray<string> => {
  const self = fileURLToPath(import.meta.url)
  const script = self.slice(0, -extname(self).length).replace(/clusterBench$/, "clusterRunner") + extname(self)
  return extname(self) === ".ts" ? ["--import", "tsx", script] : [script]
}

const startRunner = (port: number, url: string): Effect.Effect<ChildProcess, BenchFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<ChildProcess, BenchFailed>((resume) => {
      const child = spawn(process.execPath, [...runnerArgs(), String(port)], {
        env: { ...process.env, LANES_CLUSTER_DATABASE_URL: url },
        stdio: ["ignore", "pipe", "inherit"]
      })
      let ready = false
      child.stdout?.on("data", (chunk: Buffer) => {
        if (!ready && chunk.toString().includes("ready")) {
          ready = true
          resume(Effect.succeed(child))
        }
      })
      child.on("exit", (code) => {
        if (!ready) resume(Effect.fail(failed(`runner on port ${port} exited with ${code} before it was ready`)))
      })
    }),
    (child) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      }).pipe(
        Effect.timeoutTo({ duration: "10 seconds", onSuccess: () => undefined, onTimeout: () => child.kill("SIGKILL") })
      )
  )

/** Waits until `runners` database sessions hold about a `runners`th of the shard locks each. */
const shardsSpread = (runners: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ holders: number | string }>`
      SELECT COUNT(*) AS holders FROM (
        SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted GROUP BY pid
        HAVING COUNT(*) >= ${Math.max(1, Math.floor(benchShardingConfig.shardsPerGroup / runners) - 3)}
      ) AS holding`
    if (Number(rows[0]?.holders ?? 0) < runners) return yield* Effect.fail(failed("shards not spread yet"))
  }).pipe(Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 300 }))

const fleet = (runners: number, url: string, options: Options, prefix: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < runners; i++) yield* startRunner(34_600 + i, url)
    yield* shardsSpread(runners)
    const sessions = yield* SessionEntity.client
    const perSession = Math.ceil(options.turns / options.sessions)
    const turns = perSession * options.sessions
    const elapsed = yield* Measure.millis(
      Effect.forEach(
        Array.from({ length: options.sessions }, (_, s) => s),
        (s) =>
          Effect.forEach(Array.from({ length: perSession }, (_, t) => t), (t) =>
            sessions(`${prefix}-s${s}`).RunTurn(turnOf(prefix, t, options.calls)), { discard: true }),
        { concurrency: "unbounded", discard: true }
      )
    )
    return { runners, turns, seconds: elapsed / 1000, turnsPerSecond: turns / (elapsed / 1000) }
  }).pipe(
    Effect.provide(
      SessionCluster.layerClient({ shardingConfig: benchShardingConfig }).pipe(
        Layer.provideMerge(SessionCluster.postgres(url))
      )
    ),
    Effect.scoped
  )

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: Options): Effect.Effect<Result, BenchFailed, Progress.Progress | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const url = yield* Config.option(Config.string("LANES_CLUSTER_DATABASE_URL")).pipe(
      Effect.mapError(failed)
    )
    const stamp = Date.now().toString(36)
    const storages: Array<{ name: string; perCall: (round: number) => Effect.Effect<number, unknown> }> = [
      { name: "in-memory LaneQueue", perCall: () => memoryCalls(options) },
      {
        name: "cluster, SQLite file",
        perCall: (round) =>
          clusterCalls(`sqlite-${stamp}-${round}`, options).pipe(
            Effect.provide(single(SessionCluster.sqlite(`${options.directory}/bench-${stamp}-${round}.db`)))
          )
      }
    ]
    if (Option.isSome(url)) {
      storages.push({
        name: "cluster, Postgres (1 runner)",
        perCall: (round) =>
          clusterCalls(`pg-${stamp}-${round}`, options).pipe(Effect.provide(single(SessionCluster.postgres(url.value))))
      })
    }
    const samples = new Map<string, Array<number>>()
    const total = storages.length * (options.rounds + 1)
    let done = 0
    for (let round = 0; round <= options.rounds; round++) {
      for (const storage of storages) {
        yield* Progress.update(`cluster: ${storage.name}`, done++, total)
        const perCall = yield* Effect.mapError(storage.perCall(round), failed)
        if (round > 0) samples.set(storage.name, [...(samples.get(storage.name) ?? []), perCall])
      }
    }
    const memory = summarize(samples.get("in-memory LaneQueue") ?? []).median
    const durability = storages.map((storage): DurabilityRow => {
      const millisPerCall = summarize(samples.get(storage.name) ?? [])
      return {
        storage: storage.name,
        calls: options.turns * options.calls,
        millisPerCall,
        ratioToMemory: millisPerCall.median / memory
      }
    })
    const rows: Array<RunnersRow> = []
    const notes: Array<string> = []
    if (Option.isSome(url)) {
      for (const runners of [1, 2, 3]) {
        yield* Progress.update(`cluster: ${runners} runner(s) on Postgres`, runners - 1, 3)
        rows.push(yield* Effect.mapError(fleet(runners, url.value, options, `fleet-${stamp}-${runners}`), failed))
      }
    } else {
      notes.push(
        "Turns per second with 1, 2 and 3 runners need Postgres: set LANES_CLUSTER_DATABASE_URL (a scratch database)."
      )
    }
    yield* Progress.clear
    return { calls: options.calls, turns: options.turns, sessions: options.sessions, durability, runners: rows, notes }
  })

/**
 * The scenario's tables, as one.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title:
    `Cluster: per-call cost of durability (1 session, ${result.turns} turns x ${result.calls} no-op calls in order)` +
    (result.runners.length > 0 ? `, and turns/s with 1-3 runners (${result.sessions} sessions)` : ""),
  headers: ["what", "ms/call (median)", "min..max", "x in-memory", "turns/s"],
  rows: [
    ...result.durability.map((row) => [
      row.storage,
      Format.number(row.millisPerCall.median, 3),
      `${Format.number(row.millisPerCall.min, 3)}..${Format.number(row.millisPerCall.max, 3)}`,
      Format.ratio(row.ratioToMemory),
      Format.number(1000 / (row.millisPerCall.median * result.calls), 1)
    ]),
    ...result.runners.map((row) => [
      `${row.runners} runner${row.runners === 1 ? "" : "s"} (Postgres, processes)`,
      "",
      "",
      "",
      Format.number(row.turnsPerSecond, 1)
    ])
  ],
  notes: result.notes
})
