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
 * The client is anything with `listTools` and `callTool` as the official TypeScript SDK's `Client` has them
 * (`@modelcontextprotocol/sdk`, 1.x), so this module itself needs no MCP package.
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import type * as Toolkit from "@effect/ai/Toolkit"
import type * as Effect from "effect/Effect"
import * as internal from "../internal/ai/mcp.js"
import type * as ToolTraits from "../ToolTraits.js"

/**
 * A tool as `tools/list` describes it: name, description, JSON Schema of its input, annotations.
 *
 * @since 0.1.0
 * @category models
 */
export type McpToolInfo = internal.McpToolInfo

/**
 * A `tools/call` result: `content`, optional `structuredContent`, and `isError` (or `toolResult`, from a server
 * on protocol 2024-10-07). The model reads `structuredContent` when present, else `content`.
 *
 * @since 0.1.0
 * @category models
 */
export type McpCallResult = internal.McpCallResult

/**
 * What the toolkit needs of an MCP client (the SDK's `Client` fits): `listTools` (paged by `nextCursor`) and
 * `callTool` (given an `AbortSignal`, so that interrupting a call cancels the request).
 *
 * @since 0.1.0
 * @category models
 */
export type McpClient = internal.McpClient

/**
 * Whether the server's annotations are trusted (default `false`).
 *
 * @since 0.1.0
 * @category models
 */
export type TrustOptions = internal.TrustOptions

/**
 * The `@effect/ai` tool of an MCP tool: parameters any JSON object (the model sees the server's input schema),
 * success and failure `unknown`, failure mode `return` (a `tools/call` result with `isError` is a failure the
 * model reads).
 *
 * @since 0.1.0
 * @category models
 */
export type McpTool = internal.McpTool

/**
 * A server's tools by name.
 *
 * @since 0.1.0
 * @category models
 */
export type McpTools = internal.McpTools

/**
 * A server's toolkit (its handler calls `tools/call`), the tools as listed, and their declarations for
 * `Strategy` (`tools` of its options), for callers that plan without the toolkit.
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
 * Lists the server's tools (every page) and builds its toolkit; fails with `AiError.UnknownError` when
 * `tools/list` fails. A call of a tool the server did not list is an `InvalidCall`; a failed `tools/call`
 * request is a `Failed` result.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolkit: (client: McpClient, options?: TrustOptions) => Effect.Effect<McpToolkit, AiError.UnknownError> =
  internal.toolkit
