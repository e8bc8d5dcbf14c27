/**
 * The tools a clustered session can run, provided by the application. Each {@link tool} has a name, a schema for
 * its arguments and one for its result (commands and outcomes cross processes and are journaled as JSON), its
 * traits (whether a call may be re-run after a crash depends on `idempotent`), an optional lane, and the effect
 * that runs it.
 *
 * Every runner of a cluster must provide the same registry: a turn may resume on any runner after a crash.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ToolRegistry } from "effect-lanes/cluster"
 *
 * const registry = ToolRegistry.layer([
 *   ToolRegistry.tool("read", {
 *     args: Schema.Struct({ path: Schema.String }),
 *     success: Schema.String,
 *     traits: { readOnly: true, idempotent: true },
 *     run: ({ path }) => Effect.succeed(`contents of ${path}`)
 *   })
 * ])
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as internal from "../internal/cluster/toolRegistry.js"
import type * as Lane from "../Lane.js"
import type * as ToolTraits from "../ToolTraits.js"
import type * as Command from "./Command.js"

/**
 * One registered tool, its types erased: it decodes JSON arguments and encodes its result itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tool {
  readonly name: string
  /** The declaration the planner and the crash rule read (traits, lane). */
  readonly spec: ToolTraits.ToolSpec
  /** Checks JSON arguments against the tool's argument schema. */
  readonly validate: (args: unknown) => Effect.Effect<void, ParseResult.ParseError>
  /** Runs the tool on JSON arguments; succeeds with its encoded result, fails with a description. */
  readonly run: (args: unknown) => Effect.Effect<unknown, string>
  /** Present when the host completes the tool's calls (declared with {@link external}): checks a result. */
  readonly external?:
    | { readonly checkResult: (value: unknown) => Effect.Effect<void, ParseResult.ParseError> }
    | undefined
}

/**
 * What {@link tool} takes: the schemas of the arguments and of the result (their encoded sides must be JSON), the
 * traits (MCP's defaults for what is missing: not idempotent, so never re-run after a crash), an optional lane
 * (else from the traits and the name, as `Strategy.laneOf`) and the effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolOptions<A, I, B, J, E> {
  readonly args: Schema.Schema<A, I>
  readonly success: Schema.Schema<B, J>
  readonly traits?: Partial<ToolTraits.ToolTraits> | undefined
  readonly lane?: Lane.Lane | undefined
  readonly run: (args: A) => Effect.Effect<B, E>
}

/**
 * Declares a tool. Its failures reach the caller as a `Failed` outcome carrying the error's message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tool: <A, I, B, J, E>(name: string, options: ToolOptions<A, I, B, J, E>) => Tool = internal.tool

/**
 * What {@link external} takes: {@link ToolOptions} without `run`.
 *
 * @since 0.1.0
 * @category models
 */
export type ExternalOptions<A, I, B, J> = Omit<ToolOptions<A, I, B, J, never>, "run">

/**
 * Declares a tool whose calls the host application completes: a call waits, durably, until the host answers with
 * the session's `CompleteExternal` or `FailExternal` (found with `PendingExternal`); it survives a restart of its
 * runner. The host's result must decode with `success`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const external: <A, I, B, J>(name: string, options: ExternalOptions<A, I, B, J>) => Tool = internal.external

/**
 * The registry service: the tools by name, their declarations for the planner, and command checking.
 *
 * @since 0.1.0
 * @category models
 */
export interface Registry {
  readonly tools: ReadonlyMap<string, Tool>
  /** The declarations by tool name, for `Strategy` (`traitsOf`, `laneOf`, `stages`). */
  readonly specs: ToolTraits.ToolSpecs
  /** Accepts a command when its tool exists and its arguments decode. */
  readonly check: (command: Command.Command) => Effect.Effect<Tool, Command.CommandError>
}

/**
 * The tag of the registry a runner provides.
 *
 * @since 0.1.0
 * @category tags
 */
export class ToolRegistry extends Context.Tag("effect-lanes/cluster/ToolRegistry")<ToolRegistry, Registry>() {}

/**
 * Builds a registry; a later tool with the same name replaces an earlier one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (tools: Iterable<Tool>) => Registry = internal.make

/**
 * The registry as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (tools: Iterable<Tool>): Layer.Layer<ToolRegistry> => Layer.succeed(ToolRegistry, make(tools))
