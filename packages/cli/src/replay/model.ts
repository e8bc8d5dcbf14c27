/**
 * The one model every trace format is read into: turns (the tool calls of one model response, in order), each
 * call with its name, arguments and recorded duration; the recorded project root when the format states it; and
 * the traces of subagents linked to the session. {@link Builder} turns the events a reader finds into that model.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"

/**
 * The supported formats, as `--format` names them.
 *
 * @since 0.1.0
 * @category models
 */
export const formats = [
  "claude-code",
  "codex",
  "opencode",
  "openai",
  "openai-responses",
  "anthropic",
  "gemini",
  "swe-agent",
  "mini-swe-agent",
  "openhands",
  "cline"
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type Format = typeof formats[number]

/**
 * The human name of each format.
 *
 * @since 0.1.0
 * @category models
 */
export const labels: { readonly [F in Format]: string } = {
  "claude-code": "Claude Code session",
  codex: "Codex CLI rollout",
  opencode: "OpenCode session",
  openai: "OpenAI chat completions",
  "openai-responses": "OpenAI Responses items",
  anthropic: "Anthropic messages",
  gemini: "Gemini CLI session",
  "swe-agent": "SWE-agent trajectory",
  "mini-swe-agent": "mini-swe-agent trajectory",
  openhands: "OpenHands events",
  cline: "Cline/Roo history"
}

/**
 * One recorded tool call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly id: string
  /** The tool name as the agent wrote it. */
  readonly name: string
  /** The parsed arguments. */
  readonly input: unknown
  /** The recorded duration in milliseconds, when the trace has one. */
  readonly recordedMillis: Option.Option<number>
  /** Where the duration comes from, e.g. `durationMs` or `result time - call time`. */
  readonly latencySource: string | null
  /** Why the trace records no duration for the call (`null` when it does). */
  readonly missing: string | null
  /** The agent started the call in the background (it did not wait for it). */
  readonly background: boolean
}

/**
 * The tool calls of one model response, in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Turn {
  /** 1-based, counting the turns that requested tool calls. */
  readonly index: number
  /** The subagent the turn belongs to (`null` for the main conversation). */
  readonly agent: string | null
  readonly calls: ReadonlyArray<Call>
}

/**
 * Something left out of the replay, and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface Skipped {
  readonly where: string
  readonly reason: string
}

/**
 * A parsed trace.
 *
 * @since 0.1.0
 * @category models
 */
export interface Trace {
  readonly format: Format
  readonly container: "json" | "jsonl"
  readonly turns: ReadonlyArray<Turn>
  readonly skipped: ReadonlyArray<Skipped>
  /** The project root the agent worked in, when the trace states it (e.g. Claude Code's `cwd`). */
  readonly root: Option.Option<string>
  /** The file names of the subagent traces whose turns were added (Claude Code `subagents/agent-*.jsonl`). */
  readonly subagents: ReadonlyArray<string>
  /** Which session of the file this is, when the file holds several (`codex lines`, `item 2`); else `null`. */
  readonly session: string | null
}

/**
 * What a reader returns: a trace without its format and container, which the caller knows.
 *
 * @since 0.1.0
 * @category models
 */
export type Body = Omit<Trace, "format" | "container" | "subagents" | "session">

interface Pending {
  readonly id: string
  readonly name: string
  readonly input: unknown
  readonly background: boolean
}

/**
 * Collects the calls a reader finds into turns, with their recorded durations.
 *
 * A call with a `group` (a model response ID) joins the open turn when that turn has the same group; a call
 * without one joins the open turn unless an {@link Builder.end} came in between. Durations come from an
 * explicit figure when there is one, else from the result's time minus the call's time. An agent that runs the
 * calls of one response one after another (`sequential`) starts a call when the previous one ends, so its time
 * waiting in that queue is not counted as its own.
 *
 * @since 0.1.0
 * @category constructors
 */
export class Builder {
  private readonly turns: Array<{ readonly group: string | undefined; readonly calls: Array<Pending> }> = []
  private open: { readonly group: string | undefined; readonly calls: Array<Pending> } | undefined
  private readonly started = new Map<string, number>()
  private readonly finished = new Map<string, number>()
  private readonly durations = new Map<string, readonly [number, string]>()
  private readonly missingReasons = new Map<string, string>()
  /** Skipped lines and calls. */
  readonly skipped: Array<Skipped> = []
  private counter = 0

  constructor(
    /** The agent runs the calls of one response one after another. */
    private readonly sequential: boolean = false
  ) {}

  /** A call, in the order the trace has it; `startedAt` in epoch milliseconds. */
  call(call: {
    readonly id?: string | undefined
    readonly name: string
    readonly input: unknown
    readonly group?: string | undefined
    readonly startedAt?: number | undefined
    readonly background?: boolean
  }): void {
    const id = call.id ?? `call-${++this.counter}`
    const pending: Pending = { id, name: call.name, input: call.input, background: call.background ?? false }
    if (call.startedAt !== undefined) this.started.set(id, call.startedAt)
    const open = this.open
    if (open !== undefined && (call.group === undefined ? open.group === undefined : open.group === call.group)) {
      open.calls.push(pending)
      return
    }
    this.open = { group: call.group, calls: [pending] }
    this.turns.push(this.open)
  }

  /** Something other than a call of the open turn (a result, a user message): ends an ungrouped turn. */
  end(): void {
    if (this.open?.group === undefined) this.open = undefined
  }

  /** When the call really started running (after an approval), in epoch milliseconds: a later start. */
  begin(id: string, at: number | undefined): void {
    const started = this.started.get(id)
    if (at !== undefined && (started === undefined || at > started)) this.started.set(id, at)
  }

  /** The end of a call's result, in epoch milliseconds. */
  finish(id: string, at: number | undefined): void {
    if (at !== undefined && !this.finished.has(id)) this.finished.set(id, at)
  }

  /** An explicit recorded duration, with the field it comes from; the first one given for a call is kept. */
  duration(id: string, millis: number | undefined, source: string): void {
    if (millis !== undefined && Number.isFinite(millis) && millis >= 0 && !this.durations.has(id)) {
      this.durations.set(id, [millis, source])
    }
  }

  /** Says why a call has no duration (else: no duration and no result time recorded). */
  missing(id: string, reason: string): void {
    this.missingReasons.set(id, reason)
  }

  /** Skips a line or call. */
  skip(where: string, reason: string): void {
    this.skipped.push({ where, reason })
  }

  /** The turns, numbered from 1. */
  build(agent: string | null = null): Array<Turn> {
    return this.turns.map((turn, t) => {
      let previousEnd: number | undefined
      return {
        index: t + 1,
        agent,
        calls: turn.calls.map((call): Call => {
          const explicit = this.durations.get(call.id)
          const end = this.finished.get(call.id)
          const own = this.started.get(call.id)
          const start = this.sequential && own !== undefined && previousEnd !== undefined
            ? Math.max(own, previousEnd)
            : own
          if (end !== undefined) previousEnd = Math.max(previousEnd ?? end, end)
          const measured = start !== undefined && end !== undefined && end >= start ? end - start : undefined
          const millis = explicit?.[0] ?? measured
          return {
            id: call.id,
            name: call.name,
            input: call.input,
            background: call.background,
            recordedMillis: Option.fromNullable(millis),
            missing: millis !== undefined
              ? null
              : this.missingReasons.get(call.id) ?? "the trace records no duration and no result time for it",
            latencySource: explicit?.[1] ??
              (measured === undefined
                ? null
                : this.sequential && start !== own
                ? "result time - previous result time"
                : "result time - call time")
          }
        })
      }
    })
  }
}
