import * as AiError from "@effect/ai/AiError"
import * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as McpTools from "../../ai/McpTools.js"
import type * as LaneEvent from "../../LaneEvent.js"
import * as ToolTraits from "../../ToolTraits.js"
import { progressReporter } from "../laneQueue.js"

type McpToolInfo = McpTools.McpToolInfo
type McpTool = McpTools.McpTool

/** @internal The traits of an MCP tool: its hints when the server is trusted, else MCP's defaults, stated. */
export const traitsOf = (tool: McpToolInfo, options: McpTools.TrustOptions = {}): Partial<ToolTraits.ToolTraits> =>
  options.trusted === true ? ToolTraits.fromMcpAnnotations(tool.annotations) : ToolTraits.defaults

/** @internal Declarations of a server's tools for `Strategy` (`tools` of its options). */
export const specs = (
  tools: ReadonlyArray<McpToolInfo>,
  options: McpTools.TrustOptions = {}
): ToolTraits.ToolSpecs => {
  const out: Record<string, ToolTraits.ToolSpec> = {}
  for (const tool of tools) out[tool.name] = { traits: traitsOf(tool, options) }
  return out
}

/** @internal Any JSON object of arguments; the model sees the server's own input schema. */
export const Arguments = Schema.Struct({}, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const annotated = (tool: McpTool, traits: Partial<ToolTraits.ToolTraits>): McpTool => {
  let out = tool
  if (traits.readOnly !== undefined) out = out.annotate(Tool.Readonly, traits.readOnly)
  if (traits.destructive !== undefined) out = out.annotate(Tool.Destructive, traits.destructive)
  if (traits.idempotent !== undefined) out = out.annotate(Tool.Idempotent, traits.idempotent)
  if (traits.openWorld !== undefined) out = out.annotate(Tool.OpenWorld, traits.openWorld)
  return out
}

/** @internal An @effect/ai tool for an MCP tool, annotated with its traits. */
export const toolOf = (info: McpToolInfo, options: McpTools.TrustOptions = {}): McpTool => {
  const parameters = Predicate.isRecord(info.inputSchema)
    ? Arguments.annotations({ jsonSchema: info.inputSchema })
    : Arguments
  const tool = Tool.make(info.name, {
    description: info.description,
    success: Schema.Unknown,
    failure: Schema.Unknown,
    failureMode: "return"
  }).setParameters(parameters)
  return annotated(tool, traitsOf(info, options))
}

const unknownError = (method: string, description: string, cause?: unknown) =>
  new AiError.UnknownError({ module: "McpTools", method, description, ...(cause === undefined ? {} : { cause }) })

/** @internal At most this many pages and tools are listed from one server (an untrusted server may never stop). */
export const listLimits = { pages: 100, tools: 10_000 } as const

/**
 * @internal Lists every tool of the server (following `nextCursor`), each name once (the first listing wins);
 * a repeated cursor, or more pages or tools than {@link listLimits}, fails.
 */
export const listTools = (client: McpTools.McpClient): Effect.Effect<Array<McpToolInfo>, AiError.UnknownError> =>
  Effect.gen(function*() {
    const tools = new Map<string, McpToolInfo>()
    const cursors = new Set<string>()
    let pages = 0
    let cursor: string | undefined = undefined
    do {
      if (cursor !== undefined) {
        if (cursors.has(cursor)) {
          return yield* unknownError(
            "listTools",
            `tools/list repeated the cursor ${JSON.stringify(cursor.slice(0, 80))}`
          )
        }
        cursors.add(cursor)
      }
      if (pages === listLimits.pages) {
        return yield* unknownError("listTools", `tools/list gave more than ${listLimits.pages} pages`)
      }
      pages++
      const page: { readonly tools: ReadonlyArray<McpToolInfo>; readonly nextCursor?: string | undefined } =
        yield* Effect.tryPromise({
          try: () => client.listTools(cursor === undefined ? undefined : { cursor }),
          catch: (cause) => unknownError("listTools", "tools/list failed", cause)
        })
      for (const tool of page.tools) {
        if (!tools.has(tool.name)) tools.set(tool.name, tool)
      }
      if (tools.size > listLimits.tools) {
        return yield* unknownError("listTools", `tools/list gave more than ${listLimits.tools} tools`)
      }
      cursor = page.nextCursor
    } while (cursor !== undefined && cursor.length > 0)
    return Array.from(tools.values())
  })

/** The most characters of a progress message that reach an event. */
const maxProgressMessage = 500

/** A server's progress notification as an event's update: finite numbers only, the message cut. */
const progressOf = (progress: McpTools.McpProgress): LaneEvent.ProgressUpdate | undefined => {
  if (!Predicate.isRecord(progress) || typeof progress.progress !== "number" || !Number.isFinite(progress.progress)) {
    return undefined
  }
  const total = typeof progress.total === "number" && Number.isFinite(progress.total) ? progress.total : undefined
  const message = typeof progress.message === "string" ? progress.message.slice(0, maxProgressMessage) : undefined
  return {
    progress: progress.progress,
    ...(total === undefined ? {} : { total }),
    ...(message === undefined ? {} : { message })
  }
}

/** @internal The server's tools as an @effect/ai toolkit whose handler calls `tools/call`. */
export const toolkit = (
  client: McpTools.McpClient,
  options: McpTools.TrustOptions = {}
): Effect.Effect<McpTools.McpToolkit, AiError.UnknownError> =>
  Effect.map(listTools(client), (infos) => {
    const tools: McpTools.McpTools = {}
    const listed: Array<McpToolInfo> = []
    for (const info of infos) {
      // a name such as `__proto__` would replace the record's prototype instead of adding a tool
      if (info.name in Object.prototype) continue
      tools[info.name] = toolOf(info, options)
      listed.push(info)
    }
    const handle = (name: string, params: Record<string, unknown>) =>
      Effect.gen(function*() {
        if (!Object.hasOwn(tools, name)) {
          return yield* new AiError.MalformedOutput({
            module: "McpTools",
            method: `${name}.handle`,
            description: `no tool '${name}' on the server; it has: ${Object.keys(tools).join(", ")}`
          })
        }
        const report = yield* progressReporter
        const onprogress = (progress: McpTools.McpProgress) => {
          const update = progressOf(progress)
          if (update !== undefined) report(update)
        }
        const result = yield* Effect.tryPromise({
          try: (signal) => client.callTool({ name, arguments: params }, undefined, { signal, onprogress }),
          catch: (cause) => unknownError(`${name}.call`, "tools/call failed", cause)
        })
        const value = result.structuredContent ?? result.content ?? result.toolResult ?? null
        return { isFailure: result.isError === true, result: value, encodedResult: value }
      })
    const withHandler: Toolkit.WithHandler<McpTools.McpTools> = { tools, handle }
    return { toolkit: withHandler, tools: listed, specs: specs(listed, options) }
  })
