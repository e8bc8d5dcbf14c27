import { LanguageModel } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Stream } from "effect"
import { LanedToolkit, McpTools, ScriptedModel } from "../src/ai/index.js"
import { type LaneEvent, LaneQueue, LanesConfig, RetryPolicy, Strategy, ToolTraits } from "../src/index.js"

const object = { type: "object", properties: { q: { type: "string" } } } as const

/** The tools the in-process server lists, with MCP annotations. */
const listed = [
  {
    name: "search",
    description: "Search the index",
    inputSchema: object,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }
  },
  { name: "drop_table", description: "Drop a table", inputSchema: object, annotations: { destructiveHint: true } },
  {
    name: "flaky",
    description: "Fails twice, then answers",
    inputSchema: object,
    annotations: { idempotentHint: true }
  },
  { name: "read", description: "No annotations; its name routes to the query lane", inputSchema: object },
  { name: "index", description: "Reports its progress", inputSchema: object, annotations: { readOnlyHint: true } }
]

interface ServerState {
  running: number
  peak: number
  calls: Array<string>
  flakyFailures: number
}

/** Lets the event loop turn a few times, so that requests sent together are all in flight at once. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** An MCP server (the official SDK) and a client, linked in process by the SDK's in-memory transport. */
const connected = Effect.acquireRelease(
  Effect.promise(async () => {
    const state: ServerState = { running: 0, peak: 0, calls: [], flakyFailures: 0 }
    const server = new Server({ name: "in-process", version: "1.0.0" }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }))
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name } = request.params
      const progressToken = request.params._meta?.progressToken
      if (name === "index" && progressToken !== undefined) {
        for (const progress of [1, 2]) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress, total: 2, message: `${"x".repeat(600)} ${progress}` }
          })
          await turns(2)
        }
      }
      state.calls.push(name)
      state.running++
      state.peak = Math.max(state.peak, state.running)
      try {
        await turns(5)
        if (name === "flaky" && state.flakyFailures < 2) {
          state.flakyFailures++
          throw new Error("flaky failed")
        }
        if (name === "drop_table") return { content: [{ type: "text", text: "permission denied" }], isError: true }
        return { content: [{ type: "text", text: `${name}: ${JSON.stringify(request.params.arguments ?? {})}` }] }
      } finally {
        state.running--
      }
    })
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
    await server.connect(serverTransport)
    const client = new Client({ name: "effect-lanes", version: "0.1.0" })
    await client.connect(clientTransport)
    return { client, server, state }
  }),
  ({ client, server }) => Effect.promise(() => Promise.all([client.close(), server.close()]))
)

const call = (id: string, name: string) => ScriptedModel.toolCall(id, name, { q: id })

/** Lists the server's tools, plays one scripted response through them and returns the result parts. */
const runResponse = (
  trusted: boolean,
  calls: ReadonlyArray<ReturnType<typeof call>>,
  options: LanedToolkit.Options = {}
) =>
  Effect.gen(function*() {
    const { client, state } = yield* connected
    const mcp = yield* McpTools.toolkit(client, { trusted })
    const queue = yield* LaneQueue.make("mcp").pipe(Effect.provide(LanesConfig.layerWith({})))
    const response = yield* LanguageModel.generateText({
      prompt: "go",
      toolkit: mcp.toolkit,
      disableToolCallResolution: true
    }).pipe(Effect.provide(ScriptedModel.layer({ responses: [ScriptedModel.response(...calls)] })))
    const parts = yield* LanedToolkit.resolve(queue, mcp.toolkit, response, options)
    return { parts, state, mcp }
  })

describe("McpTools: annotations -> traits", () => {
  it("a trusted server's hints become traits; an untrusted server's tools get MCP's defaults", () => {
    const [search, drop, , read] = listed
    expect(search && McpTools.traitsOf(search, { trusted: true })).toEqual(ToolTraits.localRead)
    expect(drop && McpTools.traitsOf(drop, { trusted: true })).toEqual({ destructive: true })
    expect(read && McpTools.traitsOf(read, { trusted: true })).toEqual({})
    for (const tool of listed) expect(McpTools.traitsOf(tool)).toEqual(ToolTraits.defaults)

    const trusted = McpTools.specs(listed, { trusted: true })
    const untrusted = McpTools.specs(listed)
    const lane = (name: string, tools: ToolTraits.ToolSpecs) => Strategy.laneOf({ id: name, name }, { tools })
    expect(listed.map((tool) => lane(tool.name, trusted))).toEqual(["query", "execute", "execute", "query", "query"])
    expect(listed.map((tool) => lane(tool.name, untrusted))).toEqual([
      "execute",
      "execute",
      "execute",
      "execute",
      "execute"
    ])
  })
})

describe("McpTools: an MCP server in process", () => {
  it.live("lists the tools with their annotations as @effect/ai annotations", () =>
    Effect.scoped(Effect.gen(function*() {
      const { client } = yield* connected
      const mcp = yield* McpTools.toolkit(client, { trusted: true })
      expect(mcp.tools.map((tool) => tool.name)).toEqual(["search", "drop_table", "flaky", "read", "index"])
      const search = mcp.toolkit.tools["search"]
      expect(search && LanedToolkit.traitsOf(search)).toEqual(ToolTraits.localRead)
      const untrusted = yield* McpTools.toolkit(client)
      const read = untrusted.toolkit.tools["read"]
      expect(read && LanedToolkit.traitsOf(read)).toEqual(ToolTraits.defaults)
    })))

  it.live("a trusted server's read-only calls overlap in one wave", () =>
    Effect.scoped(Effect.gen(function*() {
      const { parts, state } = yield* runResponse(true, [call("a", "search"), call("b", "search"), call("c", "search")])
      expect(parts.map((part) => [part.id, part.isFailure])).toEqual([["a", false], ["b", false], ["c", false]])
      expect(parts[0]?.encodedResult).toEqual([{ type: "text", text: "search: {\"q\":\"a\"}" }])
      expect(state.peak).toBe(3)
    })))

  it.live("an untrusted server's tools run one at a time, whatever their hints", () =>
    Effect.scoped(Effect.gen(function*() {
      const { parts, state } = yield* runResponse(false, [call("a", "search"), call("b", "search"), call("c", "read")])
      expect(parts.every((part) => !part.isFailure)).toBe(true)
      expect(state.calls).toEqual(["search", "search", "read"])
      expect(state.peak).toBe(1)
    })))

  it.live("an isError result is a failure the model reads; its siblings keep their results", () =>
    Effect.scoped(Effect.gen(function*() {
      const { parts } = yield* runResponse(true, [call("a", "search"), call("b", "drop_table"), call("c", "search")])
      expect(parts.map((part) => [part.id, part.isFailure])).toEqual([["a", false], ["b", true], ["c", false]])
      expect(parts[1]?.encodedResult).toEqual([{ type: "text", text: "permission denied" }])
    })))

  it.live("only idempotent tools are retried: a trusted idempotent tool is, an untrusted one is not", () =>
    Effect.scoped(Effect.gen(function*() {
      const retry = RetryPolicy.fixed(2, 0)
      const trusted = yield* runResponse(true, [call("a", "flaky")], { retry })
      expect(trusted.parts.map((part) => [part.id, part.isFailure])).toEqual([["a", false]])
      expect(trusted.state.calls).toEqual(["flaky", "flaky", "flaky"])

      const untrusted = yield* runResponse(false, [call("a", "flaky")], { retry })
      expect(untrusted.parts[0]?.isFailure).toBe(true)
      expect(untrusted.parts[0]?.encodedResult).toMatchObject({ _tag: "ToolCallFailure", reason: "Failed" })
      expect(untrusted.state.calls).toEqual(["flaky"])
    })))
})

/** A client whose `tools/list` gives `tools` on every page, under a fresh cursor each time, for `pages` pages. */
const repeating = (pages: number): McpTools.McpClient => ({
  listTools: async (params) => {
    const page = Number(params?.cursor ?? "0")
    return {
      tools: listed.slice(0, 3),
      ...(page + 1 < pages ? { nextCursor: String(page + 1) } : {})
    }
  },
  callTool: async () => ({ content: [] })
})

describe("McpTools: listing", () => {
  it.effect("a server that repeats its tools under fresh cursors lists each tool once", () =>
    Effect.gen(function*() {
      const mcp = yield* McpTools.toolkit(repeating(20))
      expect(mcp.tools.map((tool) => tool.name)).toEqual(["search", "drop_table", "flaky"])
      expect(Object.keys(mcp.toolkit.tools)).toEqual(["search", "drop_table", "flaky"])
      expect(Object.keys(mcp.specs)).toEqual(["search", "drop_table", "flaky"])
    }))

  it.effect("a server that never stops paging fails after listLimits.pages pages", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(McpTools.toolkit(repeating(Number.POSITIVE_INFINITY)))
      expect(error._tag).toBe("UnknownError")
      expect(error.message).toContain(`more than ${McpTools.listLimits.pages} pages`)
      const ok = yield* McpTools.toolkit(repeating(McpTools.listLimits.pages))
      expect(ok.tools).toHaveLength(3)
    }))
})

describe("McpTools: progress", () => {
  it.live("notifications/progress of a call are Progress events of its task, with its tool and ID", () =>
    Effect.scoped(Effect.gen(function*() {
      const { client } = yield* connected
      const mcp = yield* McpTools.toolkit(client, { trusted: true })
      const queue = yield* LaneQueue.make("mcp").pipe(Effect.provide(LanesConfig.layerWith({})))
      const stream = yield* queue.subscribe
      const response = yield* LanguageModel.generateText({
        prompt: "go",
        toolkit: mcp.toolkit,
        disableToolCallResolution: true
      }).pipe(Effect.provide(ScriptedModel.layer({ responses: [ScriptedModel.response(call("p1", "index"))] })))
      const parts = yield* LanedToolkit.resolve(queue, mcp.toolkit, response)
      expect(parts[0]?.isFailure).toBe(false)
      yield* queue.shutdown
      const events = yield* stream.pipe(
        Stream.takeUntil((event) => event._tag === "Completed"),
        Stream.runCollect
      )
      const progress = [...events].filter((event): event is Extract<LaneEvent.LaneEvent, { _tag: "Progress" }> =>
        event._tag === "Progress"
      )
      expect(progress.map((event) => [event.tool, event.callId, event.progress, event.total])).toEqual([
        ["index", "p1", 1, 2],
        ["index", "p1", 2, 2]
      ])
      expect(progress[0]?.message).toHaveLength(500)
      const completed = [...events].find((event) => event._tag === "Completed")
      expect(progress.every((event) => event.taskId === completed?.taskId)).toBe(true)
    })))
})
