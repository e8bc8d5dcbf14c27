/**
 * effect-lanes/ai: lanes as the tool executor of `@effect/ai` agents (an optional entry point; needs
 * `@effect/ai` 0.37.x).
 *
 * @since 0.1.0
 */

/**
 * An agent loop on `@effect/ai` whose model calls go through the generate lane and tool calls through the
 * lanes.
 *
 * @since 0.1.0
 */
export * as Agent from "./Agent.js"

/**
 * Who approves a tool call before it runs: an Effect of the application's, or the host through the queue's
 * external tasks.
 *
 * @since 0.1.0
 */
export * as Approver from "./Approver.js"

/**
 * A toolkit's tool calls through `Strategy.runTurn`, planned by the tools' annotations.
 *
 * @since 0.1.0
 */
export * as LanedToolkit from "./LanedToolkit.js"

/**
 * An MCP server's tools as a toolkit, trusted or not.
 *
 * @since 0.1.0
 */
export * as McpTools from "./McpTools.js"

/**
 * A `LanguageModel` that plays recorded responses.
 *
 * @since 0.1.0
 */
export * as ScriptedModel from "./ScriptedModel.js"
