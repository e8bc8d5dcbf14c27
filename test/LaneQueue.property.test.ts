import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, FastCheck, Fiber, TestClock } from "effect"
import * as Lane from "../src/Lane.js"
import { isDone, makeQueue, settle } from "./utils/harness.js"

/**
 * Parameters (kept small so the file runs in a few seconds):
 * - 40 runs;
 * - each lane's concurrency an integer 1..4;
 * - 1..6 submissions, each to a random lane at virtual second 0..3, either a single task (`submit`
 *   or `enqueue`) or a `submitBatch` of 0..5 tasks;
 * - every task sleeps 0..4 virtual seconds; the TestClock moves 1 s at a time.
 */
const lane = FastCheck.constantFrom(...Lane.all)
const at = FastCheck.integer({ min: 0, max: 3 })
const duration = FastCheck.integer({ min: 0, max: 4 })
const submission = FastCheck.oneof(
  FastCheck.record({
    at,
    lane,
    kind: FastCheck.constantFrom("submit" as const, "enqueue" as const),
    durations: FastCheck.tuple(duration)
  }),
  FastCheck.record({
    at,
    lane,
    kind: FastCheck.constant("batch" as const),
    durations: FastCheck.array(duration, { maxLength: 5 })
  })
)
const concurrency = FastCheck.record({
  control: FastCheck.integer({ min: 1, max: 4 }),
  query: FastCheck.integer({ min: 1, max: 4 }),
  execute: FastCheck.integer({ min: 1, max: 4 }),
  generate: FastCheck.integer({ min: 1, max: 4 })
})

type Outcome =
  | { readonly kind: "single"; readonly fiber: Fiber.Fiber<number, unknown>; readonly expected: number }
  | {
    readonly kind: "batch"
    readonly fiber: Fiber.Fiber<Array<Exit.Exit<number, unknown>>, unknown>
    readonly expected: ReadonlyArray<number>
  }

describe("LaneQueue properties", () => {
  it.effect.prop(
    "bounds hold at every instant, lanes are FIFO and work-conserving, every task completes once, batches keep order",
    { concurrency, submissions: FastCheck.array(submission, { minLength: 1, maxLength: 6 }) },
    ({ concurrency, submissions }) =>
      Effect.scoped(Effect.gen(function*() {
        const queue = yield* makeQueue({
          control: { concurrency: concurrency.control },
          query: { concurrency: concurrency.query },
          execute: { concurrency: concurrency.execute },
          generate: { concurrency: concurrency.generate }
        })
        const running: Record<Lane.Lane, number> = { control: 0, query: 0, execute: 0, generate: 0 }
        const started: Record<Lane.Lane, Array<number>> = { control: [], query: [], execute: [], generate: [] }
        const violations: Array<string> = []
        const completions = new Map<number, number>()

        const task = (k: number, lane: Lane.Lane, seconds: number): Effect.Effect<number> =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              running[lane]++
              started[lane].push(k)
              if (running[lane] > concurrency[lane]) violations.push(`${lane}: ${running[lane]} running`)
            }),
            () => Effect.as(Effect.sleep(Duration.seconds(seconds)), k),
            () =>
              Effect.sync(() => {
                running[lane]--
                completions.set(k, (completions.get(k) ?? 0) + 1)
              })
          )

        const ordered = submissions.map((s, i) => ({ ...s, i })).sort((x, y) => x.at - y.at || x.i - y.i)
        const outcomes: Array<Outcome> = []
        let next = 0
        let total = 0
        let issued = 0
        for (let t = 0; t <= 200; t++) {
          while (issued < ordered.length && ordered[issued]!.at === t) {
            const s = ordered[issued++]!
            const ks = s.durations.map(() => next++)
            total += ks.length
            const tasks = s.durations.map((d, j) => task(ks[j]!, s.lane, d))
            if (s.kind === "batch") {
              outcomes.push({
                kind: "batch",
                fiber: yield* Effect.fork(queue.submitBatch(s.lane, tasks)),
                expected: ks
              })
            } else if (s.kind === "submit") {
              outcomes.push({
                kind: "single",
                fiber: yield* Effect.fork(queue.submit(s.lane, tasks[0]!)),
                expected: ks[0]!
              })
            } else {
              const handle = yield* queue.enqueue(s.lane, tasks[0]!)
              outcomes.push({ kind: "single", fiber: yield* Effect.fork(handle.await), expected: ks[0]! })
            }
            yield* settle
          }
          yield* settle
          const stats = yield* queue.stats
          for (const l of Lane.all) {
            const { active, pending } = stats.lanes[l]
            if (active !== running[l]) violations.push(`t=${t} ${l}: stats.active ${active}, running ${running[l]}`)
            if (active > concurrency[l]) violations.push(`t=${t} ${l}: active ${active}`)
            if (pending > 0 && active < concurrency[l]) {
              violations.push(`t=${t} ${l}: ${pending} pending while only ${active} of ${concurrency[l]} run`)
            }
          }
          const done = yield* Effect.forEach(outcomes, (o) => isDone<unknown, unknown>(o.fiber))
          if (issued === ordered.length && done.every(Boolean)) break
          yield* TestClock.adjust("1 second")
        }

        expect(violations).toEqual([])
        for (const outcome of outcomes) {
          if (outcome.kind === "single") {
            expect(yield* Fiber.join(outcome.fiber)).toBe(outcome.expected)
          } else {
            expect(yield* Fiber.join(outcome.fiber)).toEqual(outcome.expected.map((k) => Exit.succeed(k)))
          }
        }
        expect(completions.size).toBe(total)
        for (const count of completions.values()) expect(count).toBe(1)
        for (const l of Lane.all) {
          expect(started[l]).toEqual([...started[l]].sort((x, y) => x - y))
          expect(running[l]).toBe(0)
        }
        const stats = yield* queue.stats
        expect([stats.totalActive, stats.totalPending]).toEqual([0, 0])
        expect(yield* queue.unfinished).toEqual([])
      })),
    { fastCheck: { numRuns: 40 } }
  )
})
