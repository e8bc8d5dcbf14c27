/**
 * Simulated time: the real lanes and planner on a virtual clock. The figures are exact (virtual milliseconds),
 * nothing waits in real time, and waiting for anything but virtual time is a typed error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Duration, Effect, Exit } from "effect"
import { LaneQueue, LanesConfig, Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"
import * as Simulation from "../../src/replay/simulation.js"

const bound = 10 * 24 * 3_600_000

describe("Simulation.run", () => {
  it.effect("a day of sleeps, one after another, takes a day of virtual time", () =>
    Effect.gen(function*() {
      const [count, virtual] = yield* Simulation.run(
        Effect.gen(function*() {
          for (let i = 0; i < 8_640; i++) yield* Effect.sleep(Duration.seconds(10))
          return 8_640
        }),
        bound
      )
      expect(count).toBe(8_640)
      expect(virtual).toBe(86_400_000)
    }))

  it.effect("concurrent sleeps overlap: the makespan of three workers", () =>
    Effect.gen(function*() {
      const [, virtual] = yield* Simulation.run(
        Effect.forEach([300, 100, 100, 100, 200], (ms) => Effect.sleep(Duration.millis(ms)), { concurrency: 3 }),
        bound
      )
      // three workers: 300 | 100 then 100 | 100 then 200: the last ends at 300
      expect(virtual).toBe(300)
    }))

  it.effect("the clock reads virtual time inside, and the lanes run a planned turn on it", () =>
    Effect.gen(function*() {
      const [[elapsed, plan], virtual] = yield* Simulation.run(
        Effect.scoped(Effect.gen(function*() {
          const queue = yield* LaneQueue.make("sim").pipe(Effect.provide(LanesConfig.layerWith({})))
          const millis = [50, 70, 20]
          const calls: Array<Strategy.ToolCall> = millis.map((_, i) => ({
            id: `${i}`,
            name: "read",
            args: { path: `f${i}.ts` }
          }))
          const start = yield* Clock.currentTimeMillis
          yield* Strategy.runTurn(
            queue,
            calls,
            (call) => Effect.sleep(Duration.millis(millis[Number(call.id)] ?? 0)),
            { tools: Tools.specs }
          )
          const end = yield* Clock.currentTimeMillis
          const stages = Strategy.stages(calls, 8, { tools: Tools.specs })
          return [end - start, stages.map((stage) => stage.indices)] as const
        })),
        bound
      )
      expect(plan).toEqual([[0, 1, 2]])
      expect(elapsed).toBe(70)
      expect(virtual).toBeGreaterThanOrEqual(70)
    }))

  it.effect("waiting for something other than time is Stalled, and the simulated fiber is interrupted", () =>
    Effect.gen(function*() {
      const never = yield* Deferred.make<void>()
      let finalized = false
      const exit = yield* Effect.exit(
        Simulation.run(
          Effect.zipRight(
            Effect.sleep(Duration.millis(5)),
            Effect.ensuring(
              Deferred.await(never),
              Effect.sync(() => {
                finalized = true
              })
            )
          ),
          bound
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("waits for something other than virtual time")
      expect(finalized).toBe(true)
    }))

  it.effect("virtual time past the bound is Stalled", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Simulation.run(Effect.forever(Effect.sleep(Duration.seconds(1))), 10_000))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("passed its bound")
    }))

  it.effect("a failure of the simulated effect is the run's failure", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Simulation.run(Effect.zipRight(Effect.sleep(1), Effect.fail("boom")), bound))
      expect(exit).toEqual(Exit.fail("boom"))
    }))
})
