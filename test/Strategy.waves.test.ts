import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import * as Strategy from "../src/Strategy.js"
import * as ToolTraits from "../src/ToolTraits.js"

const call = (name: string, args?: unknown, traits?: Partial<ToolTraits.ToolTraits>): Strategy.ToolCall => ({
  id: `${name}-${JSON.stringify(args)}`,
  name,
  ...(args === undefined ? {} : { args }),
  ...(traits === undefined ? {} : { traits })
})

/** Every spelling of `notes.txt` under the root `/work/repo`. */
const spellings = ["notes.txt", "./notes.txt", "sub/../notes.txt", "/work/repo/notes.txt", "./sub/./../NOTES.txt"]

const names = ["read", "glob", "ls", "grep", "web_fetch", "bash", "write", "edit", "llm", "mcp__x", "delete"] as const
const paths = ["a", "./a", "b", "sub/../a", "/root/a", "c/d", "c", "."] as const
const anyCall = FastCheck.record({
  name: FastCheck.constantFrom(...names),
  path: FastCheck.option(FastCheck.constantFrom(...paths), { nil: undefined }),
  readOnly: FastCheck.option(FastCheck.boolean(), { nil: undefined })
}).map(({ name, path, readOnly }) =>
  call(name, path === undefined ? undefined : { path }, readOnly === undefined ? undefined : { readOnly })
)
const anyTurn = FastCheck.array(anyCall, { maxLength: 16 })
const turnOptions = FastCheck.record({
  parallelWrites: FastCheck.boolean(),
  rules: FastCheck.constantFrom("cost" as const, "seed" as const),
  root: FastCheck.constantFrom("/root", undefined)
})

describe("Strategy.traitsOf and laneOf", () => {
  it("resolves traits: the call's own, then the classifier, then the declaration, then routing, then MCP defaults", () => {
    expect(Strategy.traitsOf(call("mcp__x"))).toEqual(ToolTraits.defaults)
    expect(Strategy.traitsOf(call("read"))).toEqual(ToolTraits.localRead)
    expect(Strategy.traitsOf(call("web_fetch"))).toEqual(ToolTraits.remoteRead)
    const tools: ToolTraits.ToolSpecs = {
      lookup: { traits: { readOnly: true }, classify: (args) => args === "write" ? { readOnly: false } : {} }
    }
    expect(Strategy.traitsOf(call("lookup"), { tools }).readOnly).toBe(true)
    expect(Strategy.traitsOf(call("lookup", "write"), { tools }).readOnly).toBe(false)
    expect(Strategy.traitsOf(call("lookup", "write", { readOnly: true }), { tools }).readOnly).toBe(true)
    expect(Strategy.traitsOf(call("read", undefined, { readOnly: false })).readOnly).toBe(false)
  })

  it("survives hostile declarations: a throwing classifier, a prototype name, junk traits", () => {
    const tools: ToolTraits.ToolSpecs = {
      boom: {
        classify: () => {
          throw new Error("no")
        }
      }
    }
    expect(Strategy.traitsOf(call("boom"), { tools })).toEqual(ToolTraits.defaults)
    expect(Strategy.traitsOf(call("constructor"), { tools })).toEqual(ToolTraits.defaults)
    expect(Strategy.traitsOf(call("__proto__"), { tools })).toEqual(ToolTraits.defaults)
    const junk: Strategy.ToolCall = { id: "j", name: "read", traits: JSON.parse("{\"readOnly\":\"yes\"}") }
    expect(Strategy.traitsOf(junk)).toEqual(ToolTraits.localRead)
  })

  it("routes: an explicit lane, then stated traits, then the tool name", () => {
    const tools: ToolTraits.ToolSpecs = {
      ask: { lane: "control", traits: { readOnly: true } },
      peek: { traits: { readOnly: true } }
    }
    expect(Strategy.laneOf(call("ask"), { tools })).toBe("control")
    expect(Strategy.laneOf(call("peek"), { tools })).toBe("query")
    expect(Strategy.laneOf(call("mcp__x", undefined, { readOnly: true }))).toBe("query")
    expect(Strategy.laneOf(call("read", undefined, { readOnly: false }))).toBe("execute")
    expect(Strategy.laneOf(call("llm"))).toBe("generate")
    expect(Strategy.laneOf(call("mcp__x"))).toBe("execute")
  })

  it("maps MCP annotations onto traits, leaving absent hints absent", () => {
    expect(ToolTraits.fromMcpAnnotations({ readOnlyHint: true, openWorldHint: false })).toEqual({
      readOnly: true,
      openWorld: false
    })
    expect(ToolTraits.fromMcpAnnotations(undefined)).toEqual({})
  })
})

describe("Strategy.stages (waves)", () => {
  it("a call's traits win over its name: a read-only MCP tool joins the wave, a writing read does not", () => {
    const turn = [
      call("read", { path: "a" }),
      call("mcp__x", undefined, { readOnly: true }),
      call("read", { path: "b" })
    ]
    expect(Strategy.stages(turn, 8).map((s) => s.indices)).toEqual([[0, 1, 2]])
    const writing = [
      call("read", { path: "a" }),
      call("read", { path: "b" }, { readOnly: false }),
      call("read", { path: "c" })
    ]
    expect(Strategy.stages(writing, 8).map((s) => [s.kind, s.indices])).toEqual([
      ["wave", [0]],
      ["single", [1]],
      ["wave", [2]]
    ])
  })

  it("every spelling of one file is one resource: no two edits of it share a wave", () => {
    const edits = spellings.map((path) => call("edit", { path }))
    const planned = Strategy.stages(edits, 8, { parallelWrites: true, root: "/work/repo" })
    expect(planned.map((s) => s.indices)).toEqual(spellings.map((_, i) => [i]))
    // without the root, the absolute spelling still keeps apart from the relative ones
    const noRoot = Strategy.stages(edits, 8, { parallelWrites: true })
    expect(noRoot.every((s) => s.indices.length === 1)).toBe(true)
  })

  it("a read never overlaps a write of the same file, nor a directory read a write inside it", () => {
    const turn = [call("read", { path: "a.txt" }), call("edit", { path: "./a.txt" })]
    expect(Strategy.stages(turn, 8, { parallelWrites: true }).map((s) => s.indices)).toEqual([[0], [1]])
    const dir = [
      call("grep", { path: "src" }),
      call("write", { path: "src/x.ts" }),
      call("write", { path: "docs/y.md" })
    ]
    expect(Strategy.stages(dir, 8, { parallelWrites: true }).map((s) => s.indices)).toEqual([[0], [1, 2]])
    const whole = [call("glob"), call("write", { path: "docs/y.md" })]
    expect(Strategy.stages(whole, 8, { parallelWrites: true }).map((s) => s.indices)).toEqual([[0], [1]])
  })

  it("writes of unknown tools never overlap, even with parallelWrites", () => {
    const turn = [call("delete", { path: "a" }), call("delete", { path: "b" })]
    expect(Strategy.stages(turn, 8, { parallelWrites: true }).map((s) => s.kind)).toEqual(["single", "single"])
  })

  it.prop(
    "waves keep call order and cover every call once",
    { turn: anyTurn, options: turnOptions },
    ({ options, turn }) => {
      const planned = Strategy.stages(turn, 8, options)
      expect(planned.flatMap((s) => s.indices)).toEqual(turn.map((_, i) => i))
    }
  )

  it.prop(
    "a call that is not safe to overlap runs alone",
    { turn: anyTurn, options: turnOptions },
    ({ options, turn }) => {
      for (const stage of Strategy.stages(turn, 8, options)) {
        if (stage.kind === "single") {
          expect(stage.indices).toHaveLength(1)
          expect(stage.plan._tag).toBe("Sequential")
        }
        if (stage.kind === "wave" && !options.parallelWrites) {
          for (const index of stage.indices) {
            const c = turn[index]
            if (c === undefined) continue
            const safe = options.rules === "seed"
              ? ["read", "glob", "ls", "grep", "web_fetch"].includes(c.name)
              : Strategy.traitsOf(c).readOnly
            expect(safe).toBe(true)
          }
        }
      }
    }
  )

  it.prop("no two spellings of one file meet in a wave when one writes", {
    turn: FastCheck.array(
      FastCheck.record({
        name: FastCheck.constantFrom("read", "edit", "write"),
        spelling: FastCheck.constantFrom(...spellings, "other.txt")
      }),
      { maxLength: 12 }
    )
  }, ({ turn }) => {
    const calls = turn.map(({ name, spelling }) => call(name, { path: spelling }))
    for (const stage of Strategy.stages(calls, 8, { parallelWrites: true, root: "/work/repo" })) {
      const touching = stage.indices.flatMap((i) => {
        const c = turn[i]
        return c !== undefined && c.spelling !== "other.txt" ? [c.name] : []
      })
      if (touching.some((name) => name !== "read")) expect(touching).toHaveLength(1)
    }
  })

  it.prop("stages are pure and total", {
    turn: FastCheck.array(
      FastCheck.record({ id: FastCheck.string(), name: FastCheck.string(), args: FastCheck.anything() }),
      { maxLength: 8 }
    ),
    concurrency: FastCheck.double()
  }, ({ concurrency, turn }) => {
    const first = Strategy.stages(turn, concurrency, { parallelWrites: true })
    expect(Strategy.stages(turn, concurrency, { parallelWrites: true })).toEqual(first)
    for (const stage of first) expect(stage.plan.reason.length).toBeGreaterThan(0)
  })

  it("a read of unknown extent never overlaps a write: declared read-only tools without a path read the whole root", () => {
    const tools: ToolTraits.ToolSpecs = {
      read_many: { traits: { readOnly: true } },
      broken: {
        traits: { readOnly: true },
        resources: () => {
          throw new Error("no")
        }
      },
      fetch_url: { traits: { readOnly: true, openWorld: true } }
    }
    for (const name of ["read_many", "broken"]) {
      const turn = [call(name, { paths: ["a.txt"] }), call("edit", { path: "a.txt" })]
      expect(Strategy.stages(turn, 8, { tools, parallelWrites: true }).map((s) => s.indices)).toEqual([[0], [1]])
    }
    const remote = [call("fetch_url", { url: "https://example.com" }), call("edit", { path: "a.txt" })]
    expect(Strategy.stages(remote, 8, { tools, parallelWrites: true }).map((s) => s.indices)).toEqual([[0, 1]])
  })

  it("only the built-in writers and tools declaring resources are trusted with their path", () => {
    const tools: ToolTraits.ToolSpecs = {
      move: { traits: { readOnly: false } },
      save: {
        traits: { readOnly: false },
        resources: (
          args
        ) => [{
          path: typeof args === "object" && args !== null && "to" in args ? String(args.to) : "",
          access: "write"
        }]
      }
    }
    const moves = [call("move", { path: "a", to: "x" }), call("move", { path: "b", to: "x" })]
    expect(Strategy.stages(moves, 8, { tools, parallelWrites: true }).map((s) => s.kind)).toEqual(["single", "single"])
    const saves = [call("save", { to: "x" }), call("save", { to: "y" }), call("save", { to: "./x" })]
    expect(Strategy.stages(saves, 8, { tools, parallelWrites: true }).map((s) => s.indices)).toEqual([[0, 1], [2]])
  })

  it("is total on hostile calls: throwing getters, Proxies, null, non-string names", () => {
    const throwing = {
      id: "t",
      name: "read",
      get args(): unknown {
        throw new Error("args")
      },
      get traits(): Partial<ToolTraits.ToolTraits> {
        throw new Error("traits")
      }
    }
    const proxy = new Proxy({}, {
      get: () => {
        throw new Error("proxy")
      },
      has: () => {
        throw new Error("proxy")
      },
      getOwnPropertyDescriptor: () => {
        throw new Error("proxy")
      }
    })
    const hostile: Array<Strategy.ToolCall> = [
      throwing,
      { id: "p", name: "edit", args: proxy },
      { id: "q", name: "read", args: { path: "a" }, traits: proxy },
      JSON.parse("null"),
      JSON.parse("{\"id\":\"n\",\"name\":42}")
    ]
    for (const parallelWrites of [false, true]) {
      const planned = Strategy.stages(hostile, 8, { parallelWrites })
      expect(planned.flatMap((stage) => stage.indices)).toEqual([0, 1, 2, 3, 4])
      expect(Strategy.plan(hostile, 8, { parallelWrites })._tag).toBe("Sequential")
    }
    expect(Strategy.traitsOf(throwing)).toEqual(ToolTraits.defaults)
    expect(Strategy.laneOf(throwing)).toBe("execute")
  })

  it("stays near-linear on huge turns: 20,000 reads, 5,000 edits with parallelWrites", () => {
    const reads = Array.from({ length: 20_000 }, (_, i) => call("read", { path: `f${i}` }))
    expect(Strategy.plan(reads, 8)._tag).toBe("Parallel")
    expect(Strategy.stages(reads, 8)).toHaveLength(1)
    const edits = Array.from({ length: 5_000 }, (_, i) => call("edit", { path: `f${i}` }))
    const planned = Strategy.stages(edits, 8, { parallelWrites: true })
    expect(planned.flatMap((stage) => stage.indices)).toHaveLength(5_000)
    expect(Strategy.plan(edits, 8, { parallelWrites: true }).reason).toContain("more than 256")
  })
})
