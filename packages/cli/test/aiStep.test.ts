/**
 * Smoke test of the `ai` bench scenario at a tiny size: the shape of its result and table, every figure finite
 * and positive. No timing is asserted.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as AiStep from "../src/bench/aiStep.js"
import * as Progress from "../src/render/progress.js"
import * as Table from "../src/render/table.js"

describe("bench -s ai (tiny size)", () => {
  it.live("measures the three steps and their ratios", () =>
    Effect.gen(function*() {
      const result = yield* AiStep.run({ calls: 2, latencyMillis: 1, warmup: 0, rounds: 2 })
      expect(result).toMatchObject({ calls: 2, latencyMillis: 1, rounds: 2 })
      for (const summary of [result.unbounded, result.laned, result.ratio, result.malformed, result.malformedRatio]) {
        expect(summary.samples).toBe(2)
        expect(Number.isFinite(summary.median) && summary.median > 0).toBe(true)
      }
      const text = Table.render(AiStep.table(result))
      expect(text).toContain("laned / unbounded, per round")
      expect(result.unboundedOnMalformed).toBe("fails: MalformedOutput")
    }).pipe(Effect.provide(Progress.layerSilent)))
})
