import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck, Fiber, TestClock } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { isDone, makeQueue, recordEvents, settle } from "./utils/harness.js"
import { classify, type Outcome } from "./utils/reliability.js"

/**
 * Random mixes of successes, failures, timeouts, retries and cancels.
 *
 * Parameters (kept small so the file runs in a few seconds):
 * - 25 runs;
 * - two lanes, query and execute, each with concurrency 1..3, a 3 s timeout and a fixed retry
 *   policy of 0..2 retries 1 s apart (0 retries = `RetryPolicy.none`);
 * - 1..8 tasks enqueued at virtual time 0, each to one of the two lanes, of one kind:
 *   `succeed`, `fail`, `flaky` (fails its first 1..2 attempts, then succeeds) or `hang` (never
 *   finishes, so every attempt times out); every attempt of the first three sleeps 0..2 s
 *   (always under the timeout, so nothing finishes at the instant a timeout fires);
 * - a task may be cancelled at virtual second 0..6 (`queue.cancel(id)`), and the whole session
 *   may be cancelled at second 0..10 (`cancelAll`); a cancel reports exactly the tasks that ended
 *   cancelled (one that finished on its own in the same instant keeps its outcome);
 * - the TestClock moves 1 s at a time; cancels run at the start of their second.
 *
 * Checked: every task ends exactly once, as exactly one of succeeded / failed / timed out /
 * cancelled, with exactly one matching terminal event; a task is cancelled iff a cancel reported it;
 * otherwise it ends as its kind and the lane's retries predict, after the predicted number of
 * attempts; `metrics` (per lane and in total) and `stats` agree with what the submitters observed.
 */
const laneSettings = FastCheck.record({
  concurrency: FastCheck.integer({ min: 1, max: 3 }),
  retries: FastCheck.integer({ min: 0, max: 2 })
})
const taskSpec = FastCheck.record({
  lane: FastCheck.constantFrom("query" as const, "execute" as const),
  kind: FastCheck.constantFrom("succeed" as const, "fail" as const, "flaky" as const, "hang" as const),
  failures: FastCheck.integer({ min: 1, max: 2 }),
  seconds: FastCheck.integer({ min: 0, max: 2 }),
  cancelAt: FastCheck.option(FastCheck.integer({ min: 0, max: 6 }), { nil: undefined, freq: 3 })
})

type Spec = typeof taskSpec extends FastCheck.Arbitrary<infer A> ? A : never

const terminal = {
  Completed: "succeeded",
  Failed: "failed",
  TimedOut: "timedOut",
  Cancelled: "cancelled"
} as const satisfies Record<string, Outcome>

const predicted = (spec: Spec, retries: number): { readonly outcome: Outcome; readonly attempts: number } => {
  switch (spec.kind) {
    case "succeed":
      return { outcome: "succeeded", attempts: 1 }
    case "fail":
      return { outcome: "failed", attempts: retries + 1 }
    case "hang":
      return { outcome: "timedOut", attempts: retries + 1 }
    case "flaky":
      return spec.failures <= retries
        ? { outcome: "succeeded", attempts: spec.failures + 1 }
        : { outcome: "failed", attempts: retries + 1 }
  }
}

const zero: Record<Outcome, number> = { succeeded: 0, failed: 0, timedOut: 0, cancelled: 0 }

describe("LaneQueue outcome properties", () => {
  it.effect.prop(
    "every task ends exactly once in exactly one outcome; metrics and stats agree with the submitters",
    {
      query: laneSettings,
      execute: laneSettings,
      tasks: FastCheck.array(taskSpec, { minLength: 1, maxLength: 8 }),
      cancelAllAt: FastCheck.option(FastCheck.integer({ min: 0, max: 10 }), { nil: undefined, freq: 4 })
    },
    ({ cancelAllAt, execute, query, tasks }) =>
      Effect.scoped(Effect.gen(function*() {
        const lanes = { query, execute }
        const policy = (retries: number) => retries === 0 ? RetryPolicy.none : RetryPolicy.fixed(retries, "1 second")
        const queue = yield* makeQueue({
          query: { concurrency: query.concurrency, timeout: "3 seconds", retry: policy(query.retries) },
          execute: { concurrency: execute.concurrency, timeout: "3 seconds", retry: policy(execute.retries) }
        })
        const events = yield* recordEvents(queue)
        const attempts = tasks.map(() => 0)
        const body = (spec: Spec, i: number): Effect.Effect<string, string> =>
          Effect.suspend(() => {
            const n = ++attempts[i]!
            if (spec.kind === "hang") return Effect.never
            const after = Effect.sleep(`${spec.seconds} seconds`)
            const fails = spec.kind === "fail" || (spec.kind === "flaky" && n <= spec.failures)
            return fails ? Effect.zipRight(after, Effect.fail(`e${i}`)) : Effect.as(after, `v${i}`)
          })

        const handles = yield* Effect.forEach(tasks, (spec, i) => queue.enqueue(spec.lane, body(spec, i)))
        const awaits = yield* Effect.forEach(handles, (handle) => Effect.fork(Effect.exit(handle.await)))
        const cancelledBy = tasks.map(() => false)
        // cancelAll counts the tasks it cancelled; a target that finished on its own in the same
        // instant keeps its own (predicted) outcome.
        const cancelAllTargets: Array<number> = []
        let cancelAllCount = 0
        const lastCancel = Math.max(cancelAllAt ?? 0, ...tasks.map((spec) => spec.cancelAt ?? 0))

        yield* settle
        for (let t = 0; t <= 300; t++) {
          let cancelled = false
          for (const [i, spec] of tasks.entries()) {
            if (spec.cancelAt !== t) continue
            cancelled = true
            if (yield* queue.cancel(handles[i]!.id)) cancelledBy[i] = true
          }
          if (cancelAllAt === t) {
            cancelled = true
            const unfinished = yield* queue.unfinished
            cancelAllCount = yield* queue.cancelAll
            for (const id of unfinished) cancelAllTargets.push(handles.findIndex((handle) => handle.id === id))
          }
          if (cancelled) yield* settle
          const done = yield* Effect.forEach(awaits, isDone)
          if (t >= lastCancel && done.every(Boolean)) break
          yield* TestClock.adjust("1 second")
          yield* settle
        }

        // Every submitter got exactly one outcome, and it is the predicted one.
        const exits = yield* Effect.forEach(awaits, Fiber.join)
        const observed = exits.map(classify)
        const cancelledByAll = cancelAllTargets.filter((i) => observed[i] === "cancelled")
        expect(cancelledByAll.length).toBe(cancelAllCount)
        for (const i of cancelledByAll) cancelledBy[i] = true
        const all = yield* events
        const observedBy = { query: { ...zero }, execute: { ...zero } }
        for (const [i, spec] of tasks.entries()) {
          const id = handles[i]!.id
          const outcome = observed[i]!
          observedBy[spec.lane][outcome]++
          const ends = all.filter((event) => event.taskId === id && event._tag in terminal)
          expect(ends.map((event) => terminal[event._tag as keyof typeof terminal])).toEqual([outcome])
          if (cancelledBy[i]) {
            expect(outcome).toBe("cancelled")
          } else {
            const expected = predicted(spec, lanes[spec.lane].retries)
            expect({ task: i, outcome }).toEqual({ task: i, outcome: expected.outcome })
            expect({ task: i, attempts: attempts[i] }).toEqual({ task: i, attempts: expected.attempts })
            if (outcome === "succeeded") expect(exits[i]).toEqual(Exit.succeed(`v${i}`))
          }
        }

        // The metrics agree with the submitters, lane by lane and in total.
        const metrics = yield* queue.metrics
        for (const lane of ["query", "execute"] as const) {
          const seen = observedBy[lane]
          const ids = new Set(handles.filter((_, i) => tasks[i]!.lane === lane).map((handle) => handle.id))
          const started = all.filter((event) => event._tag === "Started" && ids.has(event.taskId)).length
          const hadRetries = lanes[lane].retries > 0
          expect(metrics.lanes[lane].counts).toMatchObject({
            submitted: ids.size,
            started,
            completed: seen.succeeded,
            failed: seen.failed,
            timedOut: seen.timedOut,
            cancelled: seen.cancelled,
            deadLettered: hadRetries ? seen.failed + seen.timedOut : 0
          })
          expect(metrics.lanes[lane].runMillis.count).toBe(started)
        }
        const totals = observed.reduce((acc, outcome) => ({ ...acc, [outcome]: acc[outcome] + 1 }), { ...zero })
        expect(metrics.totals).toMatchObject({
          submitted: tasks.length,
          completed: totals.succeeded,
          failed: totals.failed,
          timedOut: totals.timedOut,
          cancelled: totals.cancelled
        })
        expect(metrics.totals.completed + metrics.totals.failed + metrics.totals.timedOut + metrics.totals.cancelled)
          .toBe(tasks.length)

        // Nothing is left pending or running, in any lane.
        const stats = yield* queue.stats
        expect([stats.totalPending, stats.totalActive]).toEqual([0, 0])
        for (const lane of ["control", "query", "execute", "generate"] as const) {
          expect([stats.lanes[lane].pending, stats.lanes[lane].active]).toEqual([0, 0])
        }
        expect(yield* queue.unfinished).toEqual([])
        expect(yield* queue.pendingExternal).toEqual([])
      })),
    { fastCheck: { numRuns: 25 } }
  )
})
