/**
 * The chaos check of `effect-lanes/cluster` on Postgres: three runner processes (test/fleet/runner.ts) on one
 * database, a driver (this test, a client-only node of the cluster) sending turns to many sessions, and `kill -9`
 * of one runner in the middle of them. Then, from the Postgres records the tools leave:
 *
 * - every accepted command has an outcome (no result lost);
 * - every command of the idempotent tool succeeded and its effect exists exactly once;
 * - no command of the non-idempotent tool started twice; it succeeded (effect once) or was reported Interrupted;
 * - the sessions the killed runner held finished on the survivors.
 *
 * Needs `CLUSTER_TEST_DATABASE_URL` (scripts/with-postgres.sh sets it); run with `npm run test:fleet`. Bounded:
 * 3 runners, 12 sessions x 4 turns x 3 calls, one kill, a 120 s budget; loopback only.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Layer, Ref, Schedule } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { Command, SessionCluster, SessionEntity } from "../../src/cluster/index.js"
import { shardingConfig } from "./config.js"

const url = process.env["CLUSTER_TEST_DATABASE_URL"]
const sessions = 12
const turnsPerSession = 4
const basePort = 34_500

/** Starts a runner and waits for its `ready`; the scope kills it (if still alive) on close. */
const startRunner = (name: string, port: number) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess, Error>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fleet/runner.ts", name, String(port)], {
        env: process.env,
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
        if (!ready) resume(Effect.fail(new Error(`runner ${name} exited with ${code} before it was ready`)))
      })
    }),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

const resetDatabase = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DROP SCHEMA public CASCADE`
  yield* sql`CREATE SCHEMA public`
  yield* sql`CREATE TABLE chaos_runs (id SERIAL PRIMARY KEY, command_key TEXT NOT NULL, runner TEXT NOT NULL, phase TEXT NOT NULL)`
  yield* sql`CREATE TABLE chaos_state (key TEXT PRIMARY KEY)`
  yield* sql`CREATE TABLE chaos_log (id SERIAL PRIMARY KEY, key TEXT NOT NULL)`
})

/** Waits until `runners` database sessions hold about a `runners`th of the shard locks each (Postgres advisory locks). */
const shardsSpread = (runners: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ holders: number | string }>`
      SELECT COUNT(*) AS holders FROM (
        SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted GROUP BY pid HAVING COUNT(*) >= ${
      Math.floor(shardingConfig.shardsPerGroup / runners) - 3
    }
      ) AS holding`
    if (Number(rows[0]?.holders ?? 0) < runners) return yield* Effect.fail("not yet")
  }).pipe(
    Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 150 }),
    Effect.orDie
  )

const turnOf = (session: number, turn: number) => {
  const key = (call: number) => `s${session}-t${turn}-c${call}`
  const ms = (call: number) => (call === 1 ? 400 : 150) + ((session * 7 + turn * 3 + call * 5) % 5) * 50
  return {
    keys: [key(0), key(1), key(2)],
    turnId: `t${turn}`,
    commands: [
      new Command.Command({ id: "c0", tool: "put", args: { key: key(0), ms: ms(0) } }),
      new Command.Command({ id: "c1", tool: "append", args: { key: key(1), ms: ms(1) } }),
      new Command.Command({ id: "c2", tool: "put", args: { key: key(2), ms: ms(2) } })
    ]
  }
}

describe.skipIf(url === undefined)("cluster on Postgres: three runners, kill -9 one in the middle of turns", () => {
  it.live(
    "no result lost, idempotent calls once, non-idempotent calls never twice, sessions move",
    () =>
      Effect.gen(function*() {
        yield* Effect.provide(resetDatabase, SessionCluster.postgres(url ?? ""))
        const r1 = yield* startRunner("r1", basePort + 1)
        const r2 = yield* startRunner("r2", basePort + 2)
        const r3 = yield* startRunner("r3", basePort + 3)
        yield* Effect.provide(shardsSpread(3), SessionCluster.postgres(url ?? ""))
        return yield* drive(new Map([["r1", r1], ["r2", r2], ["r3", r3]])).pipe(
          Effect.provide(
            SessionCluster.layerClient({ shardingConfig }).pipe(Layer.provideMerge(SessionCluster.postgres(url ?? "")))
          )
        )
      }).pipe(Effect.scoped),
    180_000
  )
})

const drive = (runners: ReadonlyMap<string, ChildProcess>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const client = yield* SessionEntity.client
    const done = yield* Ref.make(0)
    const killed = yield* Deferred.make<string>()
    const kill = (name: string) =>
      Effect.flatMap(Deferred.succeed(killed, name), (first) =>
        first ? Effect.sync(() => runners.get(name)?.kill("SIGKILL")) : Effect.void)
    // Kill the first runner seen in the middle of a non-idempotent call after it finished six calls (fallback: the
    // runner r2 when three quarters of the turns are done).
    yield* Effect.gen(function*() {
      const rows = yield* sql<{ runner: string }>`
        SELECT s.runner FROM chaos_runs s
        WHERE s.phase = 'start' AND s.command_key LIKE '%-c1'
          AND NOT EXISTS (SELECT 1 FROM chaos_runs d WHERE d.command_key = s.command_key AND d.phase = 'done')
          AND (SELECT COUNT(*) FROM chaos_runs f WHERE f.runner = s.runner AND f.phase = 'done') >= 6
        LIMIT 1`
      const victim = rows[0]?.runner
      if (victim === undefined) {
        return yield* Effect.fail("not yet")
      }
      yield* kill(victim)
    }).pipe(Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 3000 }), Effect.ignore, Effect.forkScoped)
    const killAt = Math.ceil((sessions * turnsPerSession * 3) / 4)
    const results = yield* Effect.forEach(
      Array.from({ length: sessions }, (_, s) =>
        s),
      (s) =>
        Effect.forEach(Array.from({ length: turnsPerSession }, (_, t) => t), (t) => {
          const turn = turnOf(s, t)
          return client(`session-${s}`).RunTurn({ turnId: turn.turnId, commands: turn.commands }).pipe(
            Effect.tap(() =>
              Ref.updateAndGet(done, (n) => n + 1).pipe(
                Effect.flatMap((n) => n === killAt ? kill("r2") : Effect.void)
              )
            ),
            Effect.map((outcomes) => ({ turn, outcomes }))
          )
        }),
      { concurrency: "unbounded" }
    ).pipe(Effect.map((perSession) => perSession.flat()), Effect.timeout(Duration.seconds(120)))
    const victim = yield* Deferred.poll(killed).pipe(
      Effect.flatMap((o) => o._tag === "Some" ? o.value : Effect.succeed("none"))
    )
    expect(victim).not.toBe("none")

    const runs = yield* sql<{ command_key: string; runner: string; phase: string }>`
        SELECT command_key, runner, phase FROM chaos_runs ORDER BY id`
    const state = new Set((yield* sql<{ key: string }>`SELECT key FROM chaos_state`).map((row) => row.key))
    const log = yield* sql<{ key: string }>`SELECT key FROM chaos_log`
    const starts = new Map<string, number>()
    for (const run of runs) {
      if (run.phase === "start") starts.set(run.command_key, (starts.get(run.command_key) ?? 0) + 1)
    }
    const logCount = (key: string) => log.filter((row) => row.key === key).length

    let accepted = 0
    let answered = 0
    let idempotentOnce = 0
    let idempotentReruns = 0
    let nonIdempotentSucceeded = 0
    let nonIdempotentInterrupted = 0
    let nonIdempotentTwice = 0
    for (const { outcomes, turn } of results) {
      accepted += turn.commands.length
      answered += outcomes.length
      for (const [i, command] of turn.commands.entries()) {
        const outcome = outcomes[i]
        const key = turn.keys[i] ?? ""
        if (command.tool === "put") {
          expect(outcome?._tag).toBe("Succeeded")
          expect(state.has(key)).toBe(true)
          idempotentOnce += 1
          idempotentReruns += Math.max(0, (starts.get(key) ?? 0) - 1)
        } else {
          const started = starts.get(key) ?? 0
          if (started > 1 || logCount(key) > 1) nonIdempotentTwice += 1
          if (outcome?._tag === "Succeeded") {
            nonIdempotentSucceeded += 1
            expect(logCount(key)).toBe(1)
          } else {
            expect(outcome?._tag).toBe("Interrupted")
            expect(started).toBeLessThanOrEqual(1)
            nonIdempotentInterrupted += 1
          }
        }
      }
    }
    const killedRuns = runs.filter((run) => run.runner === victim).length
    const sessionsOnKilled = new Set(
      runs.filter((run) => run.runner === victim).map((run) => run.command_key.split("-")[0])
    )
    const summary = {
      runners: 3,
      runnersKilled: 1,
      killedRunner: victim,
      sessions,
      turns: results.length,
      commandsAccepted: accepted,
      outcomesReplied: answered,
      resultsLost: accepted - answered,
      idempotentCompleted: idempotentOnce,
      idempotentReRunsAfterKill: idempotentReruns,
      nonIdempotentSucceeded,
      nonIdempotentInterrupted,
      nonIdempotentRunTwice: nonIdempotentTwice,
      callsStartedOnKilledRunner: killedRuns,
      sessionsTouchedByKilledRunner: sessionsOnKilled.size,
      callStartsByRunner: Object.fromEntries(
        ["r1", "r2", "r3"].map((r) => [r, runs.filter((run) => run.runner === r && run.phase === "start").length])
      )
    }
    console.log(`CHAOS ${JSON.stringify(summary)}`)
    expect(summary.resultsLost).toBe(0)
    expect(summary.nonIdempotentRunTwice).toBe(0)
    expect(summary.turns).toBe(sessions * turnsPerSession)
    expect(killedRuns).toBeGreaterThan(0)
  })
