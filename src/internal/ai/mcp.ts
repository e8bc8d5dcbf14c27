import * as AiError from "@effect/ai/AiError"
import * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as ToolTraits from "../../ToolTraits.js"

/** @internal */
export interface McpToolInfo {
  readonly name: string
  readonly description?: string | undefined
  readonly inputSchema?: unknown
  readonly annotations?: ToolTraits.McpAnnotations | undefined
}

/** @internal */
export interface McpCallResult {
  readonly content?: unknown
  readonly structuredContent?: unknown
  readonly isError?: unknown
  /** The result of a server on protocol 2024-10-07 or older. */
  readonly toolResult?: unknown
}

/** @internal The part of an MCP client the toolkit uses; the official SDK's `Client` has it. */
export interface McpClient {
  listTools(
    params?: { cursor?: string | undefined } | undefined
  ): Promise<{ readonly tools: ReadonlyArray<McpToolInfo>; readonly nextCursor?: string | undefined }>
  callTool(
    params: { name: string; arguments?: Record<string, unknown> | undefined },
    resultSchema?: undefined,
    options?: { signal?: AbortSignal | undefined } | undefined
  ): Promise<McpCallResult>
}

/** @internal */
export interface TrustOptions {
  readonly trusted?: boolean | undefined
}

/** @internal The traits of an MCP tool: its hints when the server is trusted, else MCP's defaults, stated. */
export const traitsOf = (tool: McpToolInfo, options: TrustOptions = {}): Partial<ToolTraits.ToolTraits> =>
  options.trusted === true ? ToolTraits.fromMcpAnnotations(tool.annotations) : ToolTraits.defaults

/** @internal Declarations of a server's tools for `Strategy` (`tools` of its options). */
export const specs = (tools: ReadonlyArray<McpToolInfo>, options: TrustOptions = {}): ToolTraits.ToolSpecs => {
  const out: Record<string, ToolTraits.ToolSpec> = {}
  for (const tool of tools) out[tool.name] = { traits: traitsOf(tool, options) }
  return out
}

/** @internal Any JSON object of arguments; the model sees the server's own input schema. */
export const Arguments = Schema.Struct({}, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/** @internal */
export type McpTool = Tool.Tool<string, {
  readonly parameters: typeof Arguments
  readonly success: typeof Schema.Unknown
  readonly failure: typeof Schema.Unknown
  readonly failureMode: "return"
}>

/** @internal */
export type McpTools = Record<string, McpTool>

/** @internal */
export interface McpToolkit {
  readonly toolkit: Toolkit.WithHandler<McpTools>
  readonly tools: ReadonlyArray<McpToolInfo>
  readonly specs: ToolTraits.ToolSpecs
}

const annotated = (tool: McpTool, traits: Partial<ToolTraits.ToolTraits>): McpTool => {
  let out = tool
  if (traits.readOnly !== undefined) out = out.annotate(Tool.Readonly, traits.readOnly)
  if (traits.destructive !== undefined) out = out.annotate(Tool.Destructive, traits.destructive)
  if (traits.idempotent !== undefined) out = out.annotate(Tool.Idempotent, traits.idempotent)
  if (traits.openWorld !== undefined) out = out.annotate(Tool.OpenWorld, traits.openWorld)
  return out
}

/** @internal An @effect/ai tool for an MCP tool, annotated with its traits. */
export const toolOf = (info: McpToolInfo, options: TrustOptions = {}): McpTool => {
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

/** @internal Lists every tool of the server (following `nextCursor`). */
export const listTools = (client: McpClient): Effect.Effect<Array<McpToolInfo>, AiError.UnknownError> =>
  Effect.gen(function*() {
    const tools: Array<McpToolInfo> = []
    let cursor: string | undefined = undefined
    do {
      const page: { readonly tools: ReadonlyArray<McpToolInfo>; readonly nextCursor?: string | undefined } =
        yield* Effect
          .tryPromise({
            try: () => client.listTools(cursor === undefined ? undefined : { cursor }),
            catch: (cause) => unknownError("listTools", "tools/list failed", cause)
          })
      tools.push(...page.tools)
      cursor = page.nextCursor
    } while (cursor !== undefined && cursor.length > 0)
    return tools
  })

/** @internal The server's tools as an @effect/ai toolkit whose handler calls `tools/call`. */
export const toolkit = (
  client: McpClient,
  options: TrustOptions = {}
): Effect.Effect<McpToolkit, AiError.UnknownError> =>
  Effect.map(listTools(client), (infos) => {
    const tools: McpTools = {}
    for (const info of infos) tools[info.name] = toolOf(info, options)
    const handle = (name: string, params: Record<string, unknown>) =>
      Effect.gen(function*() {
        if (!Object.hasOwn(tools, name)) {
          return yield* new AiError.MalformedOutput({
            module: "McpTools",
            method: `${name}.handle`,
            description: `no tool '${name}' on the server; it has: ${Object.keys(tools).join(", ")}`
          })
        }
        const result = yield* Effect.tryPromise({
          try: (signal) => client.callTool({ name, arguments: params }, undefined, { signal }),
          catch: (cause) => unknownError(`${name}.call`, "tools/call failed", cause)
        })
        const value = result.structuredContent ?? result.content ?? result.toolResult ?? null
        return { isFailure: result.isError === true, result: value, encodedResult: value }
      })
    const withHandler: Toolkit.WithHandler<McpTools> = { tools, handle }
    return { toolkit: withHandler, tools: infos, specs: specs(infos, options) }
  })
