/**
 * Turning a parsed trace into calls ready to replay: mapped onto the built-in tools, paths rebased onto the
 * replay directory (and the recorded root rewritten inside shell commands), `bash` left out unless allowed or
 * simulated. Everything left out is counted once per reason, in turn order.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type { Strategy } from "effect-lanes"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Model from "./model.js"
import * as Rebase from "./rebase.js"
import * as ToolMapping from "./toolMapping.js"

/**
 * One call ready to replay.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayCall {
  readonly id: string
  readonly recordedName: string
  readonly mapped: ToolMapping.Mapped
  readonly recordedMillis: Option.Option<number>
  readonly background: boolean
}

/**
 * A turn with its replayable calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayTurn {
  readonly index: number
  readonly agent: string | null
  readonly calls: ReadonlyArray<ReplayCall>
}

/**
 * One reason calls or lines were left out: how many, and where the first was.
 *
 * @since 0.1.0
 * @category models
 */
export interface SkipCount {
  readonly reason: string
  readonly count: number
  readonly first: string
}

/**
 * Counts skips once per reason, in the order the reasons first occur.
 *
 * @since 0.1.0
 * @category constructors
 */
export const countSkips = (skipped: ReadonlyArray<Model.Skipped>): Array<SkipCount> => {
  const counts = new Map<string, { count: number; first: string }>()
  for (const skip of skipped) {
    const seen = counts.get(skip.reason)
    if (seen === undefined) counts.set(skip.reason, { count: 1, first: skip.where })
    else seen.count++
  }
  return [...counts].map(([reason, { count, first }]) => ({ reason, count, first }))
}

const label = (turn: Model.Turn): string => `${turn.agent === null ? "" : `${turn.agent} `}turn ${turn.index}`

/**
 * The mapping of a call after rebasing: paths made relative to the replay directory, `workdir` folded into
 * the command as a `cd`, and the recorded root rewritten inside commands.
 */
const rebaseMapped = (
  mapped: ToolMapping.Mapped,
  rebase: Rebase.Rebase,
  prefix: Option.Option<string>
): Either.Either<ToolMapping.Mapped, string> => {
  const steps: Array<ToolMapping.Step> = []
  for (const step of mapped.steps) {
    const { path, workdir, ...rest } = step.args
    const args: Record<string, unknown> = { ...rest }
    if (typeof path === "string") {
      const rebased = rebase(path)
      if (Option.isNone(rebased)) return Either.left(`path ${path} is outside the replay directory`)
      args["path"] = rebased.value
    }
    if (step.tool === "bash" && typeof rest["command"] === "string") {
      let command = Rebase.command(rest["command"], prefix)
      if (typeof workdir === "string") {
        const dir = rebase(workdir)
        if (Option.isNone(dir)) return Either.left(`workdir ${workdir} is outside the replay directory`)
        if (dir.value !== ".") command = `cd '${dir.value.replace(/'/g, "'\\''")}' && ${command}`
      }
      args["command"] = command
    }
    steps.push({ tool: step.tool, args })
  }
  return Either.right({ tool: mapped.tool, steps })
}

/**
 * The turns of a trace with their replayable calls (turns left with none are dropped), what was skipped, and
 * the recorded root.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepare = (
  trace: Model.Trace,
  root: string,
  options: { readonly useRecordedLatency: boolean; readonly runBash: boolean }
): Effect.Effect<
  {
    readonly turns: ReadonlyArray<ReplayTurn>
    readonly skipped: ReadonlyArray<SkipCount>
    readonly calls: number
    readonly prefix: Option.Option<string>
    readonly rootSource: Rebase.RootSource | null
  },
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const skipped: Array<Model.Skipped> = [...trace.skipped]
    const mapped = trace.turns.map((turn) =>
      turn.calls.map((call) => ({ call, mapped: ToolMapping.map(call.name, call.input) }))
    )
    const recordedPaths = mapped.flat().flatMap(({ mapped }) =>
      Either.isRight(mapped) ? ToolMapping.paths(mapped.right) : []
    )
    const { prefix, rebase, source } = yield* Rebase.make(root, recordedPaths, trace.root)
    const turns = trace.turns.map((turn, t): ReplayTurn => ({
      index: turn.index,
      agent: turn.agent,
      calls: (mapped[t] ?? []).flatMap(({ call, mapped }): Array<ReplayCall> => {
        const where = `${label(turn)}, call ${call.id} (${call.name})`
        if (Either.isLeft(mapped)) {
          skipped.push({ where, reason: mapped.left })
          return []
        }
        const simulated = options.useRecordedLatency && Option.isSome(call.recordedMillis)
        if (mapped.right.steps.some((step) => step.tool === "bash") && !options.runBash && !simulated) {
          skipped.push({
            where,
            reason: Option.isSome(call.recordedMillis)
              ? "bash is only run with --run-bash (or simulated with --use-recorded-latency)"
              : "bash is only run with --run-bash (the trace records no duration to simulate)"
          })
          return []
        }
        const rebased = rebaseMapped(mapped.right, rebase, prefix)
        if (Either.isLeft(rebased)) {
          const outside = rebased.left.startsWith("path ")
          skipped.push({
            where: outside ? `${where}: ${rebased.left}` : where,
            reason: outside ? "a path is outside the replay directory" : rebased.left
          })
          return []
        }
        return [{
          id: call.id,
          recordedName: call.name,
          mapped: rebased.right,
          recordedMillis: call.recordedMillis,
          background: call.background
        }]
      })
    })).filter((turn) => turn.calls.length > 0)
    return {
      turns,
      skipped: countSkips(skipped),
      calls: trace.turns.reduce((sum, turn) => sum + turn.calls.length, 0),
      prefix,
      rootSource: source
    }
  })

/**
 * The `Strategy.ToolCall` of a replayed call: the built-in tool's name and its first step's arguments.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCall = (call: ReplayCall): Strategy.ToolCall => ({
  id: call.id,
  name: call.mapped.tool,
  args: call.mapped.steps[0]?.args ?? {}
})

/**
 * The tools of a turn, e.g. `read×6 grep`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeTools = (calls: ReadonlyArray<ReplayCall>): string => {
  const counts = new Map<string, number>()
  for (const call of calls) counts.set(call.mapped.tool, (counts.get(call.mapped.tool) ?? 0) + 1)
  return [...counts].map(([tool, count]) => count === 1 ? tool : `${tool}×${count}`).join(" ")
}
