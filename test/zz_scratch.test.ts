import { expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { makeQueue, settle, recordEvents, advance } from "./utils/harness.js"
it.scoped("hybrid submitExternal", () =>
  Effect.gen(function*() {
    const queue = yield* makeQueue({ query: { mode: "hybrid" } , execute: { mode: "external", externalTimeout: "1 second", retry: RetryPolicy.fixed(1, "1 second")}})
    const events = yield* recordEvents(queue)
    const f = yield* Effect.fork(queue.submitExternal("query", { commandType: "x" }))
    yield* settle
    console.log(yield* queue.completeExternal("s-1", 5))
    console.log(yield* Fiber.join(f))
    const g = yield* Effect.fork(Effect.exit(queue.submitExternal("execute", { commandType: "y" })))
    yield* advance("5 seconds")
    console.log(yield* Fiber.join(g))
    console.log((yield* events).map((e) => e._tag + " " + e.taskId).join("\n"))
    console.log(yield* queue.deadLetters, (yield* queue.metrics).totals)
    expect(1).toBe(1)
  }))
