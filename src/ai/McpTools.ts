/**
 * The tools of an MCP server as an `@effect/ai` toolkit whose calls lanes plan by the tools' annotations.
 *
 * MCP's `readOnlyHint`, `destructiveHint`, `idempotentHint` and `openWorldHint` are hints, which the MCP
 * specification says not to trust from an untrusted server. So a server is untrusted unless marked
 * `trusted: true`: its tools get MCP's defaults (not read-only, destructive, not idempotent, open-world),
 * stated, whatever their hints or names say, so their calls run one at a time and are never retried. A trusted
 * server's hints become traits (`ToolTraits.fromMcpAnnotations`): its read-only tools overlap in one wave and
 * its idempotent tools are retried (`LanedToolkit.defaultRetry`).
 *
 * Listing follows `nextCursor` through every page, keeping the first tool of each name (a server that repeats
 * its tools under fresh cursors lists each once), at most {@link listLimits} pages and tools. A call asks the
 * server for progress: each `notifications/progress` it sends becomes a `Progress` event of the call's task
 * (`LaneEvent.Progress`, with the call's tool and ID), its message cut at 500 characters.
 *
 * The client is anything with `listTools` and `callTool` as the official TypeScript SDK's `Client` has them
 * (`@modelcontextprotocol/sdk`, 1.x), so this module itself needs no MCP package.
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as internal from "../internal/ai/mcp.js"
import type * as ToolTraits from "../ToolTraits.js"

/**
 * A tool as `tools/list` describes it: name, description, JSON Schema of its input, annotations.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpToolInfo {
  readonly name: string
  readonly description?: string | undefined
  readonly inputSchema?: unknown
  readonly annotations?: ToolTraits.McpAnnotations | undefined
}

/**
 * A `tools/call` result: `content`, optional `structuredContent`, and `isError` (or `toolResult`, from a server
 * on protocol 2024-10-07 or older). The model reads `structuredContent` when present, else `content`.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpCallResult {
  readonly content?: unknown
  readonly structuredContent?: unknown
  readonly isError?: unknown
  readonly toolResult?: unknown
}

/**
 * One progress notification of a call, as the SDK hands it to `onprogress`.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpProgress {
  readonly progress: number
  readonly total?: number | undefined
  readonly message?: string | undefined
}

/**
 * What the toolkit needs of an MCP client (the SDK's `Client` fits): `listTools` (paged by `nextCursor`) and
 * `callTool` (given an `AbortSignal`, so that interrupting a call cancels the request, and `onprogress`, so that
 * the server's progress notifications reach the call's events).
 *
 * @since 0.1.0
 * @category models
 */
export interface McpClient {
  listTools(
    params?: { cursor?: string | undefined } | undefined
  ): Promise<{ readonly tools: ReadonlyArray<McpToolInfo>; readonly nextCursor?: string | undefined }>
  callTool(
    params: { name: string; arguments?: Record<string, unknown> | undefined },
    resultSchema?: undefined,
    options?: {
      signal?: AbortSignal | undefined
      onprogress?: ((progress: McpProgress) => void) | undefined
    } | undefined
  ): Promise<McpCallResult>
}

/**
 * Whether the server's annotations are trusted (default `false`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TrustOptions {
  readonly trusted?: boolean | undefined
}

/**
 * The `@effect/ai` tool of an MCP tool: parameters any JSON object (the model sees the server's input schema),
 * success and failure `unknown`, failure mode `return` (a `tools/call` result with `isError` is a failure the
 * model reads).
 *
 * @since 0.1.0
 * @category models
 */
export type McpTool = Tool.Tool<string, {
  readonly parameters: typeof internal.Arguments
  readonly success: typeof Schema.Unknown
  readonly failure: typeof Schema.Unknown
  readonly failureMode: "return"
}>

/**
 * A server's tools by name.
 *
 * @since 0.1.0
 * @category models
 */
export type McpTools = Record<string, McpTool>

/**
 * A server's toolkit (its handler calls `tools/call`), the tools as listed (each name once), and their
 * declarations for `Strategy` (`tools` of its options), for callers that plan without the toolkit.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpToolkit {
  readonly toolkit: Toolkit.WithHandler<McpTools>
  readonly tools: ReadonlyArray<McpToolInfo>
  readonly specs: ToolTraits.ToolSpecs
}

/**
 * The most pages and tools listed from one server (an untrusted server may never stop): 100 pages, 10,000
 * tools; past either, or on a cursor seen before, listing fails.
 *
 * @since 0.1.0
 * @category constants
 */
export const listLimits: { readonly pages: number; readonly tools: number } = internal.listLimits

/**
 * The traits of an MCP tool: the hints it states when the server is trusted (absent hints stay absent), else
 * MCP's defaults, every field stated.
 *
 * @since 0.1.0
 * @category traits
 */
export const traitsOf: (tool: McpToolInfo, options?: TrustOptions) => Partial<ToolTraits.ToolTraits> = internal.traitsOf

/**
 * Declarations of a server's tools for `Strategy` (`options.tools`), by {@link traitsOf}.
 *
 * @since 0.1.0
 * @category traits
 */
export const specs: (tools: ReadonlyArray<McpToolInfo>, options?: TrustOptions) => ToolTraits.ToolSpecs = internal.specs

/**
 * Lists the server's tools (every page, each name once) and builds its toolkit; fails with
 * `AiError.UnknownError` when `tools/list` fails, repeats a cursor, or passes {@link listLimits}. A call of a
 * tool the server did not list is an `InvalidCall`; a failed `tools/call` request is a `Failed` result.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolkit: (client: McpClient, options?: TrustOptions) => Effect.Effect<McpToolkit, AiError.UnknownError> =
  internal.toolkit
