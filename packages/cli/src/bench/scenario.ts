/**
 * What the scenarios that run agent turns over the built-in tools share: their requirements and errors, the
 * tools over a directory, and a turn run that fails the benchmark when a call fails (these calls are expected
 * to succeed).
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type { Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { BenchFailed, type InvalidArgument } from "../errors.js"
import type * as Progress from "../render/progress.js"
import * as Files from "./files.js"
import * as TurnModes from "./turnModes.js"

/**
 * The services a scenario's run needs.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Progress.Progress | FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor

/**
 * A scenario's run: its result, or why it could not run.
 *
 * @since 0.1.0
 * @category models
 */
export type Run<A> = Effect.Effect<A, BenchFailed | InvalidArgument, Requirements>

/**
 * The built-in tools over `root`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tools = (
  scenario: string,
  root: string
): Effect.Effect<Tools.Service, BenchFailed, CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path> =>
  Tools.make({ root }).pipe(Effect.mapError((error) => new BenchFailed({ scenario, reason: error.message })))

/**
 * Fails the benchmark with the first failed call of a turn's exits, if any.
 *
 * @since 0.1.0
 * @category combinators
 */
export const failIfAny =
  (scenario: string, label: string) =>
  (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>): Effect.Effect<void, BenchFailed> => {
    const failure = TurnModes.firstFailure(exits)
    return failure === undefined
      ? Effect.void
      : Effect.fail(new BenchFailed({ scenario, reason: `${label}: ${failure}` }))
  }

/**
 * Runs a turn in a mode, failing the benchmark when a call fails.
 *
 * @since 0.1.0
 * @category combinators
 */
export const checked = (
  scenario: string,
  mode: TurnModes.Mode,
  calls: ReadonlyArray<Strategy.ToolCall>
): Effect.Effect<void, BenchFailed> => Effect.flatMap(mode.run(calls), failIfAny(scenario, mode.label))

/**
 * The tool runner with an injected latency (an `Effect.sleep` before the call; nothing when zero).
 *
 * @since 0.1.0
 * @category constructors
 */
export const withLatency = (tools: Tools.Service, latency: Duration.Duration): TurnModes.Execute => {
  const wait = Duration.toMillis(latency) > 0 ? Effect.sleep(latency) : Effect.void
  return (call) => Effect.zipRight(wait, tools.run(call))
}

/**
 * The files of `root` and the turn modes over the built-in tools with `latency` injected per call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepare = (scenario: string, root: string, latency: Duration.Duration) =>
  Effect.gen(function*() {
    const entries = yield* Files.nonEmpty(scenario, root)
    const modes = yield* TurnModes.all(withLatency(yield* tools(scenario, root), latency))
    return { entries, modes }
  })
