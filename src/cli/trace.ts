/**
 * Reading recorded agent conversations: OpenAI chat-completion messages (assistant messages with `tool_calls`,
 * `function.arguments` a JSON string, results in `tool` messages) and Anthropic messages (`tool_use` content
 * blocks, results in `tool_result` blocks), as a JSON array (or an object with `messages`) or as JSONL (one
 * message per line, optionally wrapped as `{ "message": ... }` like Claude Code transcripts).
 *
 * A turn is the tool calls of one assistant message, or of consecutive assistant messages with nothing in
 * between. A recorded duration, when present as `duration_ms` or `durationMs` on the call or on its result,
 * is kept. Malformed lines and calls are reported and skipped; only a file that cannot be read or holds no
 * tool calls of either format is an error.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { TraceUnreadable, UnknownTraceFormat } from "./errors.js"

/**
 * The two formats.
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "openai" | "anthropic"

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
}

/**
 * The tool calls of one model turn, in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Turn {
  /** 1-based, counting the turns that requested tool calls. */
  readonly index: number
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
  readonly messages: number
  readonly turns: ReadonlyArray<Turn>
  readonly skipped: ReadonlyArray<Skipped>
}

const Duration = Schema.optional(Schema.Number)

const Message = Schema.Struct({
  role: Schema.String,
  content: Schema.optional(Schema.Unknown),
  tool_calls: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown))),
  tool_call_id: Schema.optional(Schema.String),
  duration_ms: Duration,
  durationMs: Duration
})
type Message = typeof Message.Type

const Wrapped = Schema.Struct({ message: Message })
const Container = Schema.Struct({ messages: Schema.Array(Schema.Unknown) })
const Json = Schema.parseJson()

const OpenAIToolCall = Schema.Struct({
  id: Schema.String,
  function: Schema.Struct({ name: Schema.String, arguments: Schema.Unknown }),
  duration_ms: Duration,
  durationMs: Duration
})

const ToolUse = Schema.Struct({
  type: Schema.Literal("tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: Schema.Unknown,
  duration_ms: Duration,
  durationMs: Duration
})

const ToolResult = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String,
  duration_ms: Duration,
  durationMs: Duration
})

const Block = Schema.Struct({ type: Schema.String })

const decodeMessage = Schema.decodeUnknownOption(Message)
const decodeWrapped = Schema.decodeUnknownOption(Wrapped)
const decodeContainer = Schema.decodeUnknownOption(Container)
const decodeJson = Schema.decodeUnknownEither(Json)
const decodeOpenAIToolCall = Schema.decodeUnknownEither(OpenAIToolCall)
const decodeToolUse = Schema.decodeUnknownEither(ToolUse)
const decodeToolResult = Schema.decodeUnknownOption(ToolResult)
const decodeBlock = Schema.decodeUnknownOption(Block)

const durationOf = (
  value: { readonly duration_ms?: number | undefined; readonly durationMs?: number | undefined }
): Option.Option<number> =>
  Option.filter(Option.fromNullable(value.duration_ms ?? value.durationMs), (ms) => Number.isFinite(ms) && ms >= 0)

const blocksOf = (message: Message): ReadonlyArray<unknown> => Array.isArray(message.content) ? message.content : []

const blockType = (block: unknown): string | undefined => Option.getOrUndefined(decodeBlock(block))?.type

/** The entries of the file: JSON (array or `{ messages }`) or JSONL, with the lines that are not JSON. */
const entries = (path: string, text: string) => {
  const whole = decodeJson(text)
  if (Either.isRight(whole)) {
    const value = whole.right
    const list = Array.isArray(value) ? value : Option.match(decodeContainer(value), {
      onNone: () => [value],
      onSome: (container) => container.messages
    })
    return Effect.succeed({ container: "json" as const, values: list, skipped: new Array<Skipped>() })
  }
  const skipped: Array<Skipped> = []
  const values: Array<unknown> = []
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return
    const parsed = decodeJson(line)
    if (Either.isRight(parsed)) values.push(parsed.right)
    else skipped.push({ where: `line ${index + 1}`, reason: "not valid JSON" })
  })
  return values.length === 0
    ? Effect.fail(new UnknownTraceFormat({ path, reason: "neither a JSON document nor JSON lines" }))
    : Effect.succeed({ container: "jsonl" as const, values, skipped })
}

const toMessage = (value: unknown): Option.Option<Message> =>
  Option.orElse(decodeMessage(value), () => Option.map(decodeWrapped(value), (wrapped) => wrapped.message))

const detect = (path: string, messages: ReadonlyArray<Message>, requested: Format | "auto") => {
  if (requested !== "auto") return Effect.succeed(requested)
  const openai = messages.some((m) => (m.tool_calls ?? []).length > 0 || m.role === "tool")
  const anthropic = messages.some((m) =>
    blocksOf(m).some((b) => ["tool_use", "tool_result"].includes(blockType(b) ?? ""))
  )
  if (openai && anthropic) {
    return Effect.fail(
      new UnknownTraceFormat({ path, reason: "both OpenAI tool_calls and Anthropic tool_use blocks; pass --format" })
    )
  }
  if (openai) return Effect.succeed<Format>("openai")
  if (anthropic) return Effect.succeed<Format>("anthropic")
  return Effect.fail(
    new UnknownTraceFormat({
      path,
      reason: messages.length === 0
        ? "no chat messages (objects with a role) found"
        : "no tool calls found (no OpenAI tool_calls, no Anthropic tool_use blocks)"
    })
  )
}

interface Requested {
  readonly id: string
  readonly name: string
  readonly input: Either.Either<unknown, string>
  readonly recorded: Option.Option<number>
}

const openAICalls = (message: Message, where: string, skipped: Array<Skipped>): Array<Requested> =>
  (message.tool_calls ?? []).flatMap((raw, k) => {
    const call = decodeOpenAIToolCall(raw)
    if (Either.isLeft(call)) {
      skipped.push({ where: `${where}, tool call ${k + 1}`, reason: "not an OpenAI tool call (id, function.name)" })
      return []
    }
    const args = call.right.function.arguments
    const input = typeof args === "string"
      ? Either.mapLeft(decodeJson(args === "" ? "{}" : args), () => "function.arguments is not valid JSON")
      : Either.right(args)
    return [{ id: call.right.id, name: call.right.function.name, input, recorded: durationOf(call.right) }]
  })

const anthropicCalls = (message: Message, where: string, skipped: Array<Skipped>): Array<Requested> =>
  blocksOf(message).flatMap((block, k) => {
    if (blockType(block) !== "tool_use") return []
    const use = decodeToolUse(block)
    if (Either.isLeft(use)) {
      skipped.push({ where: `${where}, block ${k + 1}`, reason: "malformed tool_use block (id, name, input)" })
      return []
    }
    return [{
      id: use.right.id,
      name: use.right.name,
      input: Either.right(use.right.input),
      recorded: durationOf(use.right)
    }]
  })

/** Durations recorded on results, by call ID. */
const resultDurations = (messages: ReadonlyArray<Message>): ReadonlyMap<string, number> => {
  const found = new Map<string, number>()
  for (const message of messages) {
    if (message.role === "tool" && message.tool_call_id !== undefined) {
      Option.map(durationOf(message), (ms) => found.set(message.tool_call_id ?? "", ms))
    }
    for (const block of blocksOf(message)) {
      Option.map(
        decodeToolResult(block),
        (result) => Option.map(durationOf(result), (ms) => found.set(result.tool_use_id, ms))
      )
    }
  }
  return found
}

/**
 * Parses a trace's text.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  path: string,
  text: string,
  requested: Format | "auto" = "auto"
): Effect.Effect<Trace, UnknownTraceFormat> =>
  Effect.gen(function*() {
    const { container, skipped, values } = yield* entries(path, text)
    const messages = values.flatMap((value) => Option.toArray(toMessage(value)))
    const format = yield* detect(path, messages, requested)
    const durations = resultDurations(messages)
    const turns: Array<Turn> = []
    let open: Array<Call> | undefined
    messages.forEach((message, m) => {
      if (message.role !== "assistant") {
        open = undefined
        return
      }
      const where = `message ${m + 1}`
      const requestedCalls = format === "openai"
        ? openAICalls(message, where, skipped)
        : anthropicCalls(message, where, skipped)
      if (requestedCalls.length === 0) return
      if (open === undefined) {
        open = []
        turns.push({ index: turns.length + 1, calls: open })
      }
      for (const call of requestedCalls) {
        if (Either.isLeft(call.input)) {
          skipped.push({ where: `turn ${turns.length}, call ${call.id} (${call.name})`, reason: call.input.left })
          continue
        }
        const recordedMillis = Option.orElse(call.recorded, () => Option.fromNullable(durations.get(call.id)))
        open.push({ id: call.id, name: call.name, input: call.input.right, recordedMillis })
      }
    })
    return { format, container, messages: messages.length, turns, skipped }
  })

/**
 * Reads and parses a trace file.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (
  path: string,
  requested: Format | "auto" = "auto"
): Effect.Effect<Trace, TraceUnreadable | UnknownTraceFormat, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(path).pipe(
      Effect.mapError((error) =>
        new TraceUnreadable({
          path,
          reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message
        })
      ),
      Effect.flatMap((text) => parse(path, text, requested))
    ))
