/**
 * A runner that stops in the middle of a turn, and a new one on the same SQLite file: the turn resumes from its
 * journal. The first runner's scope is closed while a call blocks, which leaves exactly what a crash leaves (the
 * call's start marker, no journaled result, the turn's message unprocessed). Live clock: the cluster polls.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Exit, Fiber, Layer, Schedule, Scope } from "effect"
import { Command, SessionCluster, SessionEntity } from "../src/cluster/index.js"
import * as LanesConfig from "../src/LanesConfig.js"
import { cluster, cmd, makeProbe, registry } from "./utils/cluster.js"

const restart = (commands: ReadonlyArray<Command.Command>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = `${yield* fs.makeTempDirectoryScoped()}/sessions.db`
    const probe = yield* makeProbe
    const runTurn = Effect.flatMap(
      SessionEntity.client,
      (sessions) => sessions("s1").RunTurn({ turnId: "t1", commands })
    )
    // First runner: runs until a call blocks, then stops.
    const scope = yield* Scope.make()
    const first = yield* Layer.buildWithScope(cluster(probe, { file, block: true }), scope)
    const caller = yield* Effect.fork(Effect.provide(runTurn, first))
    yield* Deferred.await(probe.started)
    yield* Scope.close(scope, Exit.void)
    yield* Fiber.interrupt(caller)
    // Second runner on the same file: the same turn ID replies once the resumed turn finishes.
    const outcomes = yield* Effect.provide(runTurn, cluster(probe, { file }))
    return { outcomes, count: probe.count }
  }).pipe(Effect.provide(NodeFileSystem.layer), Effect.scoped)

describe("cluster: storage from configuration", () => {
  it.live("without LANES_CLUSTER_DATABASE_URL the storage is the SQLite file LANES_CLUSTER_SQLITE_FILE", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped()}/configured.db`
      const probe = yield* makeProbe
      const runner = SessionCluster.layerSingle().pipe(
        Layer.provide([registry(probe, false), LanesConfig.layerDefaults]),
        Layer.provide(SessionCluster.storageFromConfig)
      )
      const outcome = yield* Effect.flatMap(
        SessionEntity.client,
        (sessions) => sessions("s1").Submit({ command: cmd("w", "write", { path: "abc" }) })
      ).pipe(
        Effect.provide(runner),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LANES_CLUSTER_SQLITE_FILE", file]])))
      )
      expect(outcome).toEqual(new Command.Succeeded({ id: "w", value: 3 }))
      expect(yield* fs.exists(file)).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer), Effect.scoped))
})

describe("cluster: a turn resumed after its runner stopped", () => {
  it.live(
    "an external call still waiting survives the restart; the host answers the new runner",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const file = `${yield* fs.makeTempDirectoryScoped()}/sessions.db`
        const probe = yield* makeProbe
        const commands = [cmd("a", "write", { path: "done" }), cmd("x", "approve", { what: "deploy" })]
        const session = Effect.map(SessionEntity.client, (sessions) => sessions("s1"))
        const scope = yield* Scope.make()
        const first = yield* Layer.buildWithScope(cluster(probe, { file }), scope)
        const caller = yield* Effect.fork(
          Effect.provide(Effect.flatMap(session, (s) => s.RunTurn({ turnId: "t1", commands })), first)
        )
        yield* Effect.provide(
          Effect.flatMap(session, (s) =>
            s.PendingExternal().pipe(
              Effect.filterOrFail((list) => list.length > 0, () => "none yet"),
              Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
            )),
          first
        )
        yield* Scope.close(scope, Exit.void)
        yield* Fiber.interrupt(caller)
        const outcomes = yield* Effect.gen(function*() {
          const s = yield* session
          expect(yield* s.PendingExternal()).toEqual([{
            turnId: "t1",
            callId: "x",
            tool: "approve",
            args: { what: "deploy" }
          }])
          const reply = yield* Effect.fork(s.RunTurn({ turnId: "t1", commands }))
          expect(yield* s.CompleteExternal({ turnId: "t1", callId: "x", value: 5 })).toBe(true)
          return yield* Fiber.join(reply)
        }).pipe(Effect.provide(cluster(probe, { file })))
        expect(outcomes).toEqual([
          new Command.Succeeded({ id: "a", value: 4 }),
          new Command.Succeeded({ id: "x", value: 5 })
        ])
        expect(yield* probe.count("write:done")).toBe(1)
      }).pipe(Effect.provide(NodeFileSystem.layer), Effect.scoped),
    30_000
  )

  it.live(
    "finished calls are not re-run; the unfinished non-idempotent call is Interrupted, not repeated",
    () =>
      Effect.gen(function*() {
        const { count, outcomes } = yield* restart([
          cmd("a", "echo", { text: "done" }),
          cmd("b", "write", { path: "block" }),
          cmd("c", "echo", { text: "after" })
        ])
        expect(outcomes).toEqual([
          new Command.Succeeded({ id: "a", value: "DONE" }),
          new Command.Interrupted({
            id: "b",
            reason: "started before its runner stopped and not idempotent, so not run again"
          }),
          new Command.Succeeded({ id: "c", value: "AFTER" })
        ])
        expect(yield* count("echo:done")).toBe(1)
        expect(yield* count("write:block")).toBe(1)
        expect(yield* count("echo:after")).toBe(1)
      }),
    30_000
  )

  it.live(
    "a non-idempotent call still waiting for its lane when the runner stopped never started: it runs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const file = `${yield* fs.makeTempDirectoryScoped()}/sessions.db`
        const probe = yield* makeProbe
        const lanes = { execute: { concurrency: 1 } }
        const turnA = { turnId: "a", commands: [cmd("a", "write", { path: "block" })] }
        const turnB = { turnId: "b", commands: [cmd("b", "write", { path: "queued" })] }
        const send = (turn: typeof turnA) =>
          Effect.flatMap(SessionEntity.client, (sessions) => sessions("s1").RunTurn(turn))
        const scope = yield* Scope.make()
        const first = yield* Layer.buildWithScope(cluster(probe, { file, block: true, lanes }), scope)
        const callerA = yield* Effect.fork(Effect.provide(send(turnA), first))
        yield* Deferred.await(probe.started)
        const callerB = yield* Effect.fork(Effect.provide(send(turnB), first))
        // Wait until b is in the execute lane's line behind a.
        yield* Effect.provide(
          Effect.flatMap(SessionEntity.client, (sessions) => sessions("s1").Stats()).pipe(
            Effect.filterOrFail((stats) => (stats.lanes.execute?.pending ?? 0) > 0, () => "not queued yet"),
            Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
          ),
          first
        )
        yield* Scope.close(scope, Exit.void)
        yield* Fiber.interrupt(callerA)
        yield* Fiber.interrupt(callerB)
        const [a, b] = yield* Effect.all([send(turnA), send(turnB)]).pipe(
          Effect.provide(cluster(probe, { file, lanes }))
        )
        expect(a).toEqual([
          new Command.Interrupted({
            id: "a",
            reason: "started before its runner stopped and not idempotent, so not run again"
          })
        ])
        expect(b).toEqual([new Command.Succeeded({ id: "b", value: 6 })])
        expect(yield* probe.count("write:block")).toBe(1)
        expect(yield* probe.count("write:queued")).toBe(1)
      }).pipe(Effect.provide(NodeFileSystem.layer), Effect.scoped),
    30_000
  )

  it.live("the unfinished idempotent call is run again and its result replied", () =>
    Effect.gen(function*() {
      const { count, outcomes } = yield* restart([
        cmd("a", "write", { path: "done" }),
        cmd("b", "echo", { text: "block" })
      ])
      expect(outcomes).toEqual([
        new Command.Succeeded({ id: "a", value: 4 }),
        new Command.Succeeded({ id: "b", value: "BLOCK" })
      ])
      expect(yield* count("write:done")).toBe(1)
      expect(yield* count("echo:block")).toBe(2)
    }), 30_000)
})
