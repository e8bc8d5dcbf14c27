/**
 * `effect-lanes/cluster` on one runner with SQLite in memory. The cluster's own machinery (message polling, shard
 * locks) runs on the live clock, so these tests are `it.live`; none asserts a duration.
 */
import type * as Sharding from "@effect/cluster/Sharding"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, FastCheck, Fiber, Schedule } from "effect"
import { Command, SessionEntity } from "../src/cluster/index.js"
import { TurnWorkflow } from "../src/internal/cluster/turn.js"
import { cluster, cmd, makeProbe, type Probe } from "./utils/cluster.js"

const withCluster = <A, E>(
  body: (probe: Probe) => Effect.Effect<A, E, Sharding.Sharding | SqlClient.SqlClient>,
  options: Parameters<typeof cluster>[1] = {}
) =>
  Effect.gen(function*() {
    const probe = yield* makeProbe
    return yield* body(probe).pipe(Effect.provide(cluster(probe, options)))
  })

/** Polls `PendingExternal` until it lists something (the turn's workflow announces its external call). */
const waitPending = <A, E, R>(pending: Effect.Effect<ReadonlyArray<A>, E, R>) =>
  pending.pipe(
    Effect.filterOrFail((list) => list.length > 0, () => "none yet"),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
  )

describe("cluster: session entity and durable turns", () => {
  it.live("a turn replies one outcome per command, in order, each tool run once", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const commands = [
          cmd("a", "echo", { text: "hi" }),
          cmd("b", "write", { path: "x.txt" }),
          cmd("c", "fail", { message: "boom" })
        ]
        const outcomes = yield* sessions("s1").RunTurn({ turnId: "t1", commands })
        expect(outcomes).toEqual([
          new Command.Succeeded({ id: "a", value: "HI" }),
          new Command.Succeeded({ id: "b", value: 5 }),
          new Command.Failed({ id: "c", error: "Error: boom" })
        ])
        // The same turn again: the journaled outcomes, nothing re-run.
        const again = yield* sessions("s1").RunTurn({ turnId: "t1", commands })
        expect(again).toEqual(outcomes)
        expect(yield* probe.count("echo:hi")).toBe(1)
        expect(yield* probe.count("write:x.txt")).toBe(1)
        expect(yield* probe.count("fail:boom")).toBe(1)
        // Another session runs its own turn with the same IDs.
        yield* sessions("s2").RunTurn({ turnId: "t1", commands })
        expect(yield* probe.count("write:x.txt")).toBe(2)
      })
    ))

  it.live("Submit runs one command once; Stats reads the session's queue", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const outcome = yield* sessions("s1").Submit({ command: cmd("w", "write", { path: "abc" }) })
        expect(outcome).toEqual(new Command.Succeeded({ id: "w", value: 3 }))
        expect(yield* sessions("s1").Submit({ command: cmd("w", "write", { path: "abc" }) })).toEqual(outcome)
        expect(yield* probe.count("write:abc")).toBe(1)
        const stats = yield* sessions("s1").Stats()
        expect(stats.sessionId).toBe("s1")
        expect(stats.totalActive).toBe(0)
        expect(stats.lanes.execute?.concurrency).toBe(4)
      })
    ))

  it.live("Stats counts a running call in its lane", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const fiber = yield* Effect.fork(sessions("s1").Submit({ command: cmd("w", "write", { path: "block" }) }))
        yield* Deferred.await(probe.started)
        const stats = yield* sessions("s1").Stats()
        expect(stats.totalActive).toBe(1)
        expect(stats.lanes.execute?.active).toBe(1)
        yield* Fiber.interrupt(fiber)
      }), { block: true }))

  it.live("Cancel ends a turn's unfinished calls as Interrupted: the running one and those not started", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const commands = [
          cmd("a", "write", { path: "first" }),
          cmd("b", "write", { path: "block" }),
          cmd("c", "write", { path: "never" })
        ]
        const fiber = yield* Effect.fork(sessions("s1").RunTurn({ turnId: "t", commands }))
        yield* Deferred.await(probe.started)
        yield* sessions("s1").Cancel({ turnId: "t" })
        const outcomes = yield* Fiber.join(fiber)
        expect(outcomes).toEqual([
          new Command.Succeeded({ id: "a", value: 5 }),
          new Command.Interrupted({ id: "b", reason: "cancelled" }),
          new Command.Interrupted({ id: "c", reason: "cancelled" })
        ])
        expect(yield* probe.count("write:never")).toBe(0)
        // A cancelled turn stays cancelled: sending it again replies the same outcomes.
        expect(yield* sessions("s1").RunTurn({ turnId: "t", commands })).toEqual(outcomes)
      }), { block: true }))

  it.live("an external call waits for the host: PendingExternal lists it, CompleteExternal answers it once", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const s = sessions("s1")
        const fiber = yield* Effect.fork(
          s.RunTurn({
            turnId: "t",
            commands: [cmd("a", "write", { path: "p" }), cmd("x", "approve", { what: "deploy" })]
          })
        )
        const pending = yield* waitPending(s.PendingExternal())
        expect(pending).toEqual([{ turnId: "t", callId: "x", tool: "approve", args: { what: "deploy" } }])
        const invalid = yield* Effect.flip(s.CompleteExternal({ turnId: "t", callId: "x", value: "not a number" }))
        expect(invalid._tag).toBe("InvalidCommand")
        expect(yield* s.CompleteExternal({ turnId: "t", callId: "x", value: 7 })).toBe(true)
        expect(yield* s.CompleteExternal({ turnId: "t", callId: "x", value: 8 })).toBe(false)
        expect(yield* Fiber.join(fiber)).toEqual([
          new Command.Succeeded({ id: "a", value: 1 }),
          new Command.Succeeded({ id: "x", value: 7 })
        ])
        expect(yield* s.PendingExternal()).toEqual([])
        expect(yield* probe.count("write:p")).toBe(1)
      })
    ))

  it.live("FailExternal fails an external call; Cancel interrupts one still waiting", () =>
    withCluster(() =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const s = sessions("s1")
        const failing = yield* Effect.fork(s.RunTurn({ turnId: "f", commands: [cmd("y", "approve", { what: "a" })] }))
        yield* waitPending(s.PendingExternal())
        expect(yield* s.FailExternal({ turnId: "f", callId: "y", error: "refused" })).toBe(true)
        expect(yield* Fiber.join(failing)).toEqual([new Command.Failed({ id: "y", error: "refused" })])
        const cancelled = yield* Effect.fork(s.RunTurn({ turnId: "c", commands: [cmd("z", "approve", { what: "b" })] }))
        yield* waitPending(s.PendingExternal())
        yield* s.Cancel({ turnId: "c" })
        expect(yield* Fiber.join(cancelled)).toEqual([new Command.Interrupted({ id: "z", reason: "cancelled" })])
        expect(yield* s.CompleteExternal({ turnId: "c", callId: "z", value: 1 })).toBe(false)
      })
    ))

  it.live("bad commands are rejected with typed errors before anything runs", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const s = sessions("s1")
        const ok = cmd("a", "write", { path: "p" })
        expect(yield* Effect.flip(s.RunTurn({ turnId: "u", commands: [ok, cmd("b", "nope", {})] }))).toEqual(
          new Command.UnknownTool({ commandId: "b", tool: "nope" })
        )
        const invalid = yield* Effect.flip(s.RunTurn({ turnId: "v", commands: [ok, cmd("b", "write", { path: 1 })] }))
        expect(invalid._tag).toBe("InvalidCommand")
        expect(invalid._tag === "InvalidCommand" && invalid.commandId).toBe("b")
        const duplicate = yield* Effect.flip(s.RunTurn({ turnId: "w", commands: [ok, ok] }))
        expect(duplicate).toEqual(new Command.InvalidCommand({ commandId: "a", reason: "its ID repeats in the turn" }))
        const empty = yield* Effect.flip(s.RunTurn({ turnId: "x", commands: [] }))
        expect(empty._tag).toBe("InvalidCommand")
        expect(yield* probe.count("write:p")).toBe(0)
      })
    ))

  it.live("a lane timeout is the call's Failed outcome", () =>
    withCluster((probe) =>
      Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const outcome = yield* sessions("s1").Submit({ command: cmd("s", "slow", { path: "p" }) })
        expect(outcome._tag).toBe("Failed")
        expect(outcome._tag === "Failed" && outcome.error).toMatch(/timed out/)
        expect(yield* probe.count("slow:p")).toBe(1)
      }), { lanes: { execute: { timeout: "20 millis" } } }))

  // The crash rule without a crash: a start marker with no journaled result is exactly what a runner that died in
  // the middle of a call leaves behind. Calls marked so re-run only when idempotent; all others run once.
  it.live(
    "property: a call started before a crash re-runs only when its tool is idempotent",
    () =>
      Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            FastCheck.array(FastCheck.record({ idempotent: FastCheck.boolean(), started: FastCheck.boolean() }), {
              minLength: 1,
              maxLength: 5
            }),
            (calls) =>
              Effect.runPromise(
                withCluster((probe) =>
                  Effect.gen(function*() {
                    const sql = yield* SqlClient.SqlClient
                    const commands = calls.map((call, i) =>
                      call.idempotent
                        ? cmd(`c${i}`, "echo", { text: `e${i}` })
                        : cmd(`c${i}`, "write", { path: `w${i}` })
                    )
                    const executionId = yield* TurnWorkflow.executionId({ sessionId: "s", turnId: "t", commands })
                    // Make sure the journal table exists before marking (the runner creates it when it starts).
                    const sessions = yield* SessionEntity.client
                    yield* sessions("warm").Stats()
                    for (const [i, call] of calls.entries()) {
                      if (call.started) {
                        yield* sql`INSERT INTO effect_lanes_call_starts (execution_id, call_id) VALUES (${executionId}, ${`c${i}`})`
                      }
                    }
                    const outcomes = yield* sessions("s").RunTurn({ turnId: "t", commands })
                    for (const [i, call] of calls.entries()) {
                      const key = call.idempotent ? `echo:e${i}` : `write:w${i}`
                      const rerun = !call.started || call.idempotent
                      expect(yield* probe.count(key)).toBe(rerun ? 1 : 0)
                      expect(outcomes[i]?._tag).toBe(rerun ? "Succeeded" : "Interrupted")
                    }
                  })
                ).pipe(Effect.orDie)
              )
          ),
          { numRuns: 12 }
        )
      ),
    60_000
  )
})
