/**
 * Turning a parsed trace into calls ready to replay: mapped onto the built-in tools, paths rebased (onto the
 * replay directory, or in simulated time onto the recorded root, where a path outside it stays absolute since
 * nothing is touched), the recorded root rewritten
 * inside shell commands, `bash` left out unless allowed or simulated. Everything left out is counted once per
 * reason, in turn order; so are the calls without a recorded duration.
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
 * One reason calls or lines were left out (or have no duration): how many, and where the first was.
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

/**
 * A turn's name in reports: `turn 3`, or `agent-a1b2 turn 3` for a subagent's.
 *
 * @since 0.1.0
 * @category rendering
 */
export const turnName = (turn: { readonly agent: string | null; readonly index: number }): string =>
  `${turn.agent === null ? "" : `${turn.agent} `}turn ${turn.index}`

/**
 * How to prepare: `dir` the replay directory (absent in simulated time), `root` the recorded root `--root`
 * states, whether calls are simulated, whether bash runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly dir: Option.Option<string>
  readonly root: Option.Option<string>
  readonly simulate: boolean
  readonly runBash: boolean
}

/**
 * A prepared trace.
 *
 * @since 0.1.0
 * @category models
 */
export interface Prepared {
  readonly turns: ReadonlyArray<ReplayTurn>
  readonly skipped: ReadonlyArray<SkipCount>
  /** Tool calls in the trace. */
  readonly calls: number
  readonly prefix: Option.Option<string>
  readonly rootSource: Rebase.RootSource | null
  /** Replayed calls without a recorded duration, by reason. */
  readonly withoutDuration: ReadonlyArray<SkipCount>
  /** Replayed calls with a recorded duration, by where it comes from. */
  readonly durationSources: ReadonlyArray<{ readonly source: string; readonly count: number }>
}

type Rebased = Either.Either<ToolMapping.Mapped, { readonly reason: string; readonly detail: string }>

const outside = (detail: string): Rebased => Either.left({ reason: "a path is outside the replay directory", detail })

/**
 * The mapping of a call after rebasing: paths made relative to the root (kept absolute when `keep` allows a
 * path outside it), `workdir` folded into the command as a `cd`, and the recorded root rewritten inside
 * commands.
 */
const rebaseMapped = (
  mapped: ToolMapping.Mapped,
  rebase: Rebase.Rebase,
  prefix: Option.Option<string>,
  keep: boolean
): Rebased => {
  const place = (path: string): Option.Option<string> =>
    Option.orElse(rebase(path), () => keep ? Option.some(Rebase.normalize(path)) : Option.none())
  const steps: Array<ToolMapping.Step> = []
  for (const step of mapped.steps) {
    const { path, workdir, ...rest } = step.args
    const args: Record<string, unknown> = { ...rest }
    if (typeof path === "string") {
      const rebased = place(path)
      if (Option.isNone(rebased)) return outside(`path ${path} is outside the replay directory`)
      args["path"] = rebased.value
    }
    if (step.tool === "bash" && typeof rest["command"] === "string") {
      let command = Rebase.command(rest["command"], prefix)
      if (typeof workdir === "string") {
        const dir = place(workdir)
        if (Option.isNone(dir)) return outside(`workdir ${workdir} is outside the replay directory`)
        if (dir.value !== ".") command = `cd '${dir.value.replace(/'/g, "'\\''")}' && ${command}`
      }
      args["command"] = command
    }
    steps.push({ tool: step.tool, args })
  }
  return Either.right({ tool: mapped.tool, steps })
}

/** The real spelling of every relative path of a mapping in `dir` (NFC and NFD names are one). */
const spelled = (mapped: ToolMapping.Mapped, dir: string) =>
  Effect.map(
    Effect.forEach(mapped.steps, (step) => {
      const path = step.args["path"]
      if (typeof path !== "string" || Rebase.isAbsolute(path)) return Effect.succeed(step)
      return Effect.map(
        Rebase.onDisk(dir, path),
        (found) => Option.isSome(found) ? { tool: step.tool, args: { ...step.args, path: found.value } } : step
      )
    }),
    (steps): ToolMapping.Mapped => ({ tool: mapped.tool, steps })
  )

/** The folder of each path a mapping names: a directory's own path, a file's parent. */
const folders = (mapped: ToolMapping.Mapped): ReadonlyArray<string> =>
  mapped.steps.flatMap((step) => {
    const out: Array<string> = []
    const path = step.args["path"]
    const directory = step.tool === "ls" || step.tool === "glob" || step.tool === "grep" || step.tool === "bash"
    if (typeof path === "string") out.push(directory ? path : path.replace(/[\\/][^\\/]*$/, "") || "/")
    if (typeof step.args["workdir"] === "string") out.push(step.args["workdir"])
    return out
  })

/**
 * The turns of a trace with their replayable calls (turns left with none are dropped), what was skipped, and
 * the recorded root.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepare = (
  trace: Model.Trace,
  options: Options
): Effect.Effect<Prepared, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const skipped: Array<Model.Skipped> = [...trace.skipped]
    const missing: Array<Model.Skipped> = []
    const sources = new Map<string, number>()
    const mapped = trace.turns.map((turn) =>
      turn.calls.map((call) => ({ call, mapped: ToolMapping.map(call.name, call.input) }))
    )
    const right = mapped.flat().flatMap(({ mapped }) => Either.isRight(mapped) ? [mapped.right] : [])
    const { prefix, rebase, source } = yield* Rebase.make({
      dir: options.dir,
      recorded: right.flatMap(ToolMapping.paths),
      folders: right.flatMap(folders),
      stated: trace.root,
      given: options.root
    })
    const turns: Array<ReplayTurn> = []
    for (const [t, turn] of trace.turns.entries()) {
      const calls: Array<ReplayCall> = []
      for (const { call, mapped: result } of mapped[t] ?? []) {
        const where = `${turnName(turn)}, call ${call.id} (${call.name})`
        if (Either.isLeft(result)) {
          skipped.push({ where, reason: result.left })
          continue
        }
        const simulated = options.simulate
        if (result.right.steps.some((step) => step.tool === "bash") && !options.runBash && !simulated) {
          skipped.push({
            where,
            reason: "bash is only run with --run-bash (or simulated with --use-recorded-latency)"
          })
          continue
        }
        const rebased = rebaseMapped(result.right, rebase, prefix, simulated)
        if (Either.isLeft(rebased)) {
          skipped.push({ where: `${where}: ${rebased.left.detail}`, reason: rebased.left.reason })
          continue
        }
        const ready = Option.isSome(options.dir) && !simulated
          ? yield* spelled(rebased.right, options.dir.value)
          : rebased.right
        if (Option.isNone(call.recordedMillis)) missing.push({ where, reason: call.missing ?? "no duration recorded" })
        else sources.set(call.latencySource ?? "recorded", (sources.get(call.latencySource ?? "recorded") ?? 0) + 1)
        calls.push({
          id: call.id,
          recordedName: call.name,
          mapped: ready,
          recordedMillis: call.recordedMillis,
          background: call.background
        })
      }
      if (calls.length > 0) turns.push({ index: turn.index, agent: turn.agent, calls })
    }
    return {
      turns,
      skipped: countSkips(skipped),
      calls: trace.turns.reduce((sum, turn) => sum + turn.calls.length, 0),
      prefix,
      rootSource: source,
      withoutDuration: countSkips(missing),
      durationSources: [...sources].map(([source, count]) => ({ source, count }))
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
