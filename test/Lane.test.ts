import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Schema } from "effect"
import * as Lane from "../src/Lane.js"

const routing: ReadonlyArray<readonly [Lane.Lane, ReadonlyArray<string>]> = [
  ["query", ["read", "glob", "ls", "grep", "list_files", "search", "web_fetch", "web_search"]],
  ["execute", ["bash", "write", "edit", "delete", "move", "copy", "execute"]],
  ["generate", ["llm", "generate", "complete", "chat"]],
  ["control", ["pause", "resume", "cancel"]]
]

const known = new Set(routing.flatMap(([, names]) => names))

describe("Lane", () => {
  describe("fromTool", () => {
    for (const [lane, names] of routing) {
      it.each(names)(`routes %s to ${lane}`, (name) => {
        expect(Lane.fromTool(name)).toBe(lane)
      })
    }

    it.each([
      "",
      "mcp__github__create_issue",
      "unknown_tool",
      "read_file",
      " read",
      "toString",
      "constructor",
      "__proto__"
    ])(
      "routes the unknown name %j to execute",
      (name) => {
        expect(Lane.fromTool(name)).toBe("execute")
      }
    )

    it.prop(
      "routes every name that is not listed to execute",
      [FastCheck.string().filter((name) => !known.has(name))],
      ([name]) => {
        expect(Lane.fromTool(name)).toBe("execute")
      },
      { fastCheck: { numRuns: 200 } }
    )
  })

  it("all lists the lanes most urgent first", () => {
    expect(Lane.all).toEqual(["control", "query", "execute", "generate"])
  })

  it("priority: control 0, query 1, execute 2, generate 3", () => {
    expect(Lane.all.map(Lane.priority)).toEqual([0, 1, 2, 3])
    expect(Lane.priority("control")).toBe(0)
    expect(Lane.priority("query")).toBe(1)
    expect(Lane.priority("execute")).toBe(2)
    expect(Lane.priority("generate")).toBe(3)
  })

  it("fromPriority inverts priority and clamps", () => {
    for (const lane of Lane.all) expect(Lane.fromPriority(Lane.priority(lane))).toBe(lane)
    expect(Lane.fromPriority(-5)).toBe("control")
    expect(Lane.fromPriority(99)).toBe("generate")
  })

  it.effect("the Lane schema accepts exactly the four lanes", () =>
    Effect.gen(function*() {
      for (const lane of Lane.all) expect(yield* Schema.decodeUnknown(Lane.Lane)(lane)).toBe(lane)
      const rejected = yield* Effect.flip(Schema.decodeUnknown(Lane.Lane)("background"))
      expect(rejected._tag).toBe("ParseError")
      expect(Lane.isLane("query")).toBe(true)
      expect(Lane.isLane("Query")).toBe(false)
      expect(Lane.isLane(1)).toBe(false)
    }))
})
