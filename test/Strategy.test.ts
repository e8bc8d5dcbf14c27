import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import * as Lane from "../src/Lane.js"
import * as Strategy from "../src/Strategy.js"

const calls = (...names: ReadonlyArray<string>): ReadonlyArray<Strategy.ToolCall> =>
  names.map((name, index) => ({ id: `call-${index}`, name }))

const repeat = (name: string, count: number): ReadonlyArray<string> => Array.from({ length: count }, () => name)

const queryTools = ["read", "glob", "ls", "grep", "list_files", "search", "web_fetch", "web_search"] as const
const slowQueryTools = ["read", "grep", "search", "web_fetch", "web_search"] as const
const otherTools = ["bash", "write", "edit", "llm", "chat", "pause", "cancel", "mcp__unknown", ""] as const
const allTools = [...queryTools, ...otherTools]

const toolName = FastCheck.constantFrom(...allTools)
const toolCall = FastCheck.record({ id: FastCheck.string(), name: toolName })
const toolCalls = FastCheck.array(toolCall, { maxLength: 20 })
const slowQueryCalls = FastCheck.array(
  FastCheck.record({ id: FastCheck.string(), name: FastCheck.constantFrom(...slowQueryTools) }),
  { minLength: 6, maxLength: 20 }
)
const anyConcurrency = FastCheck.oneof(
  FastCheck.integer({ min: -4, max: 64 }),
  FastCheck.double(),
  FastCheck.constantFrom(Number.NaN, Infinity, -Infinity, 0, 0.5, 2.7)
)
const options = FastCheck.record({
  enabled: FastCheck.boolean(),
  rules: FastCheck.constantFrom("cost" as const, "seed" as const),
  minToolCount: FastCheck.integer({ min: 0, max: 12 }),
  fastTools: FastCheck.subarray([...allTools]),
  allowedTools: FastCheck.subarray([...allTools]),
  blockedTools: FastCheck.subarray([...allTools]),
  tools: FastCheck.constant({})
})
const seedOptions = options.map((o): Strategy.Options => ({ ...o, rules: "seed" }))
const slowEstimate = FastCheck.double({ min: 1, max: 60_000, noNaN: true })
const anyEstimates = FastCheck.option(FastCheck.array(FastCheck.double(), { maxLength: 20 }), { nil: undefined })

/** The seed's rules, written independently of the implementation, as an oracle for the tag. */
const seedTag = (batch: ReadonlyArray<Strategy.ToolCall>, o: Strategy.Options): Strategy.Plan["_tag"] => {
  const eligible = (name: string) =>
    Lane.fromTool(name) === "query" && !o.blockedTools.includes(name) &&
    (o.allowedTools.length === 0 || o.allowedTools.includes(name))
  if (!o.enabled || batch.length === 0 || batch.length < o.minToolCount) return "Sequential"
  if (batch.every((call) => o.fastTools.includes(call.name))) return "Sequential"
  return batch.every((call) => eligible(call.name)) ? "Parallel" : "Sequential"
}

describe("Strategy", () => {
  describe("defaults", () => {
    it("match the contract", () => {
      expect(Strategy.defaults).toEqual({
        enabled: true,
        rules: "cost",
        minToolCount: 2,
        fastTools: [],
        allowedTools: [],
        blockedTools: [],
        tools: {}
      })
      expect(Strategy.seedRules).toEqual({
        enabled: true,
        rules: "seed",
        minToolCount: 6,
        fastTools: ["glob", "ls", "list_files"],
        allowedTools: [],
        blockedTools: [],
        tools: {}
      })
    })
  })

  describe("plan without estimates (the seed's rules)", () => {
    const sixReads = calls(...repeat("read", 6))
    const seedPlan = (batch: ReadonlyArray<Strategy.ToolCall>, concurrency: number, o: Strategy.PlanOptions = {}) =>
      Strategy.plan(batch, concurrency, { ...Strategy.seedRules, ...o })

    it("runs six reads in parallel at min(concurrency, count)", () => {
      expect(seedPlan(sixReads, 8)).toMatchObject({ _tag: "Parallel", concurrency: 6 })
      expect(seedPlan(sixReads, 4)).toMatchObject({ _tag: "Parallel", concurrency: 4 })
    })

    it("is sequential when disabled", () => {
      const result = seedPlan(sixReads, 8, { enabled: false })
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("disabled")
    })

    it("is sequential for an empty batch", () => {
      expect(seedPlan([], 8)._tag).toBe("Sequential")
    })

    it("is sequential below minToolCount", () => {
      const result = seedPlan(calls(...repeat("read", 5)), 8)
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("minToolCount 6")
      expect(seedPlan(calls("read", "grep"), 8, { minToolCount: 2 })._tag).toBe("Parallel")
    })

    it("is sequential when every call is a fast tool", () => {
      const result = seedPlan(calls("glob", "ls", "list_files", "ls", "glob", "ls"), 8)
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("fast")
    })

    it("is parallel when only some calls are fast tools", () => {
      expect(seedPlan(calls("glob", "ls", "list_files", "ls", "glob", "read"), 8)._tag).toBe("Parallel")
    })

    it("is sequential when any call is not a query-lane tool", () => {
      for (const other of ["bash", "write", "llm", "pause", "some_unknown_tool"]) {
        const result = seedPlan(calls(...repeat("read", 7), other), 8)
        expect(result._tag).toBe("Sequential")
        expect(result.reason).toContain(other)
      }
    })

    it("allows only allowedTools when it is not empty", () => {
      const batch = calls(...repeat("read", 6), "grep")
      expect(seedPlan(batch, 8, { allowedTools: ["read", "grep"] })._tag).toBe("Parallel")
      const result = seedPlan(batch, 8, { allowedTools: ["read"] })
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("allowedTools")
    })

    it("is sequential when a call is blocked, even if allowed", () => {
      const batch = calls(...repeat("read", 6), "grep")
      const result = seedPlan(batch, 8, { allowedTools: ["read", "grep"], blockedTools: ["grep"] })
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("blocked")
    })

    it("accepts a full Options value", () => {
      const options: Strategy.Options = { ...Strategy.seedRules, minToolCount: 3 }
      expect(seedPlan(calls("read", "grep", "read"), 2, options)).toMatchObject({
        _tag: "Parallel",
        concurrency: 2
      })
    })

    it("treats a concurrency that is not a finite number >= 1 as 1, and floors fractions", () => {
      const batch = calls(...repeat("read", 6))
      for (const bad of [0, -3, 0.5, Number.NaN, Infinity, -Infinity]) {
        expect(seedPlan(batch, bad)).toMatchObject({ _tag: "Parallel", concurrency: 1 })
      }
      expect(seedPlan(batch, 3.9)).toMatchObject({ _tag: "Parallel", concurrency: 3 })
    })

    it("gives every plan a non-empty reason", () => {
      for (const batch of [[], sixReads, calls("bash")]) {
        expect(seedPlan(batch, 8).reason.length).toBeGreaterThan(0)
      }
    })
  })

  describe("plan with estimates (the cost rule)", () => {
    it("with the default overhead: two 500 ms fetches run in parallel, twelve 5 µs ls calls in order", () => {
      const fetches = [0, 1].map((i) => ({ id: `f${i}`, name: "web_fetch" }))
      expect(Strategy.plan(fetches, 8, { estimates: [500, 500] })).toMatchObject({ _tag: "Parallel", concurrency: 2 })
      const listings = Array.from({ length: 12 }, (_, i) => ({ id: `l${i}`, name: "ls" }))
      const tiny = listings.map(() => 0.005)
      expect(Strategy.plan(listings, 8, { estimates: tiny })._tag).toBe("Sequential")
    })

    const tiny = Strategy.defaultPerTaskOverheadMillis / 5

    it("runs two slow web fetches in parallel", () => {
      const result = Strategy.plan(calls("web_fetch", "web_fetch"), 8, { estimates: [500, 500] })
      expect(result).toMatchObject({ _tag: "Parallel", concurrency: 2 })
      expect(result.reason).toContain("saving 500 ms")
    })

    it("runs twelve tiny ls calls sequentially", () => {
      const result = Strategy.plan(calls(...repeat("ls", 12)), 8, { estimates: repeat("ls", 12).map(() => tiny) })
      expect(result._tag).toBe("Sequential")
      expect(result.reason).toContain("overhead")
    })

    it("weighs the saving against perTaskOverheadMillis times the call count", () => {
      const batch = calls(...repeat("ls", 12))
      const estimates = repeat("ls", 12).map(() => 0.05)
      // 12 x 0.05 ms sequential, 0.1 ms at concurrency 8: saves 0.5 ms
      expect(Strategy.plan(batch, 8, { estimates, perTaskOverheadMillis: 0.04 })._tag).toBe("Parallel")
      expect(Strategy.plan(batch, 8, { estimates, perTaskOverheadMillis: 0.05 })._tag).toBe("Sequential")
      // a saving exactly equal to the overhead is not enough: 2 x 1 ms saves 1 ms, overhead 2 x 0.5 ms
      expect(Strategy.plan(calls("read", "read"), 2, { estimates: [1, 1], perTaskOverheadMillis: 0.5 })._tag)
        .toBe("Sequential")
    })

    it("is sequential at concurrency 1, since nothing is saved", () => {
      expect(Strategy.plan(calls("web_fetch", "web_fetch"), 1, { estimates: [500, 500] })._tag).toBe("Sequential")
    })

    it("still applies the lane, blocked and disabled rules", () => {
      const estimates = [500, 500]
      expect(Strategy.plan(calls("web_fetch", "bash"), 8, { estimates })._tag).toBe("Sequential")
      expect(Strategy.plan(calls("web_fetch", "read"), 8, { estimates, blockedTools: ["read"] })._tag)
        .toBe("Sequential")
      expect(Strategy.plan(calls("web_fetch", "read"), 8, { estimates, enabled: false })._tag).toBe("Sequential")
    })

    it("plans without estimates when they do not fit, and says so", () => {
      const two = calls("web_fetch", "web_fetch")
      for (const estimates of [[500], [500, Number.NaN], [500, -1], [500, Infinity]]) {
        const result = Strategy.plan(two, 8, { estimates })
        expect(result._tag).toBe("Parallel")
        expect(result.reason).toContain("estimates ignored")
        expect(Strategy.plan(two, 8, { estimates, fastTools: ["web_fetch"] })._tag).toBe("Sequential")
      }
    })

    it("names the figures it used: every estimate, the overhead per task", () => {
      const result = Strategy.plan(calls("read", "read", "web_fetch"), 8, {
        estimates: [0.07, 0.07, 1700],
        perTaskOverheadMillis: 0.02
      })
      expect(result._tag).toBe("Parallel")
      expect(result.reason).toContain("read 0.07 ms x2")
      expect(result.reason).toContain("web_fetch 1700 ms")
      expect(result.reason).toContain("0.02 ms per task")
    })

    it("ignores an invalid perTaskOverheadMillis", () => {
      const batch = calls(...repeat("ls", 12))
      const estimates = repeat("ls", 12).map(() => tiny)
      expect(Strategy.plan(batch, 8, { estimates, perTaskOverheadMillis: -1 })._tag).toBe("Sequential")
      expect(Strategy.plan(batch, 8, { estimates, perTaskOverheadMillis: Number.NaN })._tag).toBe("Sequential")
    })
  })

  describe("concurrency", () => {
    it("is 1 for Sequential and the plan's width for Parallel", () => {
      expect(Strategy.concurrency(Strategy.sequential("x"))).toBe(1)
      expect(Strategy.concurrency(Strategy.parallel(5, "x"))).toBe(5)
      expect(Strategy.concurrency(Strategy.plan(calls(...repeat("read", 10)), 4))).toBe(4)
    })

    it("guards tell the two plans apart", () => {
      expect(Strategy.isParallel(Strategy.parallel(2, "x"))).toBe(true)
      expect(Strategy.isSequential(Strategy.parallel(2, "x"))).toBe(false)
      expect(Strategy.isSequential(Strategy.sequential("x"))).toBe(true)
    })
  })

  describe("makespan", () => {
    it("is list scheduling in input order", () => {
      expect(Strategy.makespan([5, 3, 3, 3], 2)).toBe(8)
      expect(Strategy.makespan([1, 1, 2], 2)).toBe(3)
      expect(Strategy.makespan([500, 500], 8)).toBe(500)
      expect(Strategy.makespan([4, 4, 4], 1)).toBe(12)
      expect(Strategy.makespan([], 4)).toBe(0)
    })

    it.prop("lies between the lower bounds and the sequential sum", {
      estimates: FastCheck.array(FastCheck.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
      concurrency: FastCheck.integer({ min: 1, max: 16 })
    }, ({ concurrency, estimates }) => {
      const result = Strategy.makespan(estimates, concurrency)
      const sum = estimates.reduce((a, b) => a + b, 0)
      expect(result).toBeLessThanOrEqual(sum)
      expect(result).toBeGreaterThanOrEqual(Math.max(0, ...estimates))
      expect(result).toBeGreaterThanOrEqual(sum / concurrency - 1e-9)
    })
  })

  describe("properties", () => {
    it.prop(
      "plan is total and deterministic",
      { batch: toolCalls, concurrency: anyConcurrency, options, estimates: anyEstimates },
      ({ batch, concurrency, estimates, options }) => {
        const input = estimates === undefined ? options : { ...options, estimates }
        const first = Strategy.plan(batch, concurrency, input)
        expect(Strategy.plan(batch, concurrency, input)).toEqual(first)
        expect(first.reason.length).toBeGreaterThan(0)
        const width = Strategy.concurrency(first)
        expect(Number.isInteger(width)).toBe(true)
        expect(width).toBeGreaterThanOrEqual(1)
      }
    )

    it.prop(
      "seedRules reproduces the upstream rules exactly, estimates or not",
      { batch: toolCalls, concurrency: anyConcurrency, options: seedOptions, estimates: anyEstimates },
      ({ batch, concurrency, estimates, options }) => {
        const input = estimates === undefined ? options : { ...options, estimates }
        expect(Strategy.plan(batch, concurrency, input)._tag).toBe(seedTag(batch, options))
      }
    )

    it.prop(
      "is sequential below minToolCount",
      { batch: toolCalls, concurrency: anyConcurrency, options },
      ({ batch, concurrency, options }) => {
        const settings = { ...options, minToolCount: batch.length + 1 }
        expect(Strategy.plan(batch, concurrency, settings)._tag).toBe("Sequential")
      }
    )

    it.prop(
      "blocked wins over allowed",
      { batch: toolCalls, victim: toolName, concurrency: anyConcurrency, options, estimates: anyEstimates },
      ({ batch, concurrency, estimates, options, victim }) => {
        const settings = {
          ...options,
          allowedTools: [...options.allowedTools, victim],
          blockedTools: [...options.blockedTools, victim],
          ...(estimates === undefined ? {} : { estimates })
        }
        const withVictim = [...batch, { id: "victim", name: victim }]
        expect(Strategy.plan(withVictim, concurrency, settings)._tag).toBe("Sequential")
      }
    )

    it.prop(
      "Parallel concurrency lies in [1, min(concurrency, calls.length)]",
      { batch: toolCalls, concurrency: FastCheck.integer({ min: 1, max: 64 }), options, estimates: anyEstimates },
      ({ batch, concurrency, estimates, options }) => {
        const input = estimates === undefined ? options : { ...options, estimates }
        const result = Strategy.plan(batch, concurrency, input)
        if (Strategy.isParallel(result)) {
          expect(result.concurrency).toBeGreaterThanOrEqual(1)
          expect(result.concurrency).toBeLessThanOrEqual(Math.min(concurrency, batch.length))
        }
      }
    )

    it.prop(
      "adding a blocked tool to a Parallel batch makes it Sequential",
      { batch: slowQueryCalls, extra: toolName, concurrency: FastCheck.integer({ min: 1, max: 64 }) },
      ({ batch, concurrency, extra }) => {
        expect(Strategy.plan(batch, concurrency)._tag).toBe("Parallel")
        const blocked = Strategy.plan([...batch, { id: "extra", name: extra }], concurrency, { blockedTools: [extra] })
        expect(blocked._tag).toBe("Sequential")
      }
    )

    it.prop(
      "cost rule: two slow query calls run in parallel",
      {
        names: FastCheck.tuple(FastCheck.constantFrom(...queryTools), FastCheck.constantFrom(...queryTools)),
        estimates: FastCheck.tuple(slowEstimate, slowEstimate),
        concurrency: FastCheck.integer({ min: 2, max: 64 })
      },
      ({ concurrency, estimates, names }) => {
        expect(Strategy.plan(calls(...names), concurrency, { estimates })).toMatchObject({
          _tag: "Parallel",
          concurrency: 2
        })
      }
    )

    it.prop(
      "cost rule: twelve calls no slower than the overhead run sequentially",
      {
        names: FastCheck.array(FastCheck.constantFrom(...queryTools), { minLength: 12, maxLength: 12 }),
        estimates: FastCheck.array(
          FastCheck.double({ min: 0, max: Strategy.defaultPerTaskOverheadMillis, noNaN: true }),
          { minLength: 12, maxLength: 12 }
        ),
        concurrency: anyConcurrency
      },
      ({ concurrency, estimates, names }) => {
        expect(Strategy.plan(calls(...names), concurrency, { estimates })._tag).toBe("Sequential")
      }
    )

    it.prop(
      "cost rule: lane, blocked and disabled rules still force Sequential",
      {
        batch: FastCheck.array(toolCall, { minLength: 1, maxLength: 12 }),
        other: FastCheck.constantFrom(...otherTools),
        estimate: FastCheck.double({ min: 0, max: 60_000, noNaN: true })
      },
      ({ batch, estimate, other }) => {
        const withOther = [...batch, { id: "other", name: other }]
        const estimates = withOther.map(() => estimate)
        expect(Strategy.plan(withOther, 8, { estimates })._tag).toBe("Sequential")
        expect(Strategy.plan(batch, 8, { estimates: estimates.slice(1), enabled: false })._tag).toBe("Sequential")
      }
    )
  })
})
