/**
 * Reading a trace file of any supported format: the text is parsed as JSON or JSON lines, the format detected
 * (or forced with `--format`) and read by its reader into the one {@link Model.Trace} model. A Claude Code
 * session's subagent files (`<session>/subagents/agent-*.jsonl` beside `<session>.jsonl`) are read too, and
 * their turns follow the session's.
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { TraceUnreadable, UnknownTraceFormat } from "../errors.js"
import * as Model from "./model.js"
import * as Chat from "./readers/chat.js"
import * as ClaudeCode from "./readers/claudeCode.js"
import * as Cline from "./readers/cline.js"
import * as Codex from "./readers/codex.js"
import * as Document from "./readers/document.js"
import * as Gemini from "./readers/gemini.js"
import * as OpenHands from "./readers/openHands.js"
import * as SweAgent from "./readers/sweAgent.js"

/**
 * The readers, in the order detection tries them (the most specific shapes first).
 *
 * @since 0.1.0
 * @category readers
 */
export const readers: ReadonlyArray<Document.Reader> = [
  ClaudeCode.reader,
  Codex.codex,
  Gemini.reader,
  SweAgent.sweAgent,
  SweAgent.mini,
  OpenHands.reader,
  Cline.reader,
  Codex.responses,
  Chat.openai,
  Chat.anthropic
]

const supported = `supported: ${Model.formats.join(", ")} (force one with --format)`

/**
 * Parses a trace's text in the given format, or the detected one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  path: string,
  text: string,
  requested: Model.Format | "auto" = "auto"
): Effect.Effect<Model.Trace, UnknownTraceFormat> =>
  Effect.gen(function*() {
    const document = Document.parse(text)
    if (Option.isNone(document)) {
      return yield* new UnknownTraceFormat({ path, reason: `neither a JSON document nor JSON lines; ${supported}` })
    }
    const reader = requested === "auto"
      ? readers.find((candidate) => candidate.detect(document.value))
      : readers.find((candidate) => candidate.format === requested)
    if (reader === undefined) {
      return yield* new UnknownTraceFormat({ path, reason: `no tool calls of a known format found; ${supported}` })
    }
    const body = reader.read(document.value)
    if (requested !== "auto" && body.turns.length === 0 && body.skipped.length === 0) {
      // a forced format that finds nothing: say what the file looks like instead of an empty table
      const detected = readers.find((candidate) => candidate.detect(document.value))
      if (detected !== undefined && detected.format !== requested) {
        return yield* new UnknownTraceFormat({
          path,
          reason: `no tool calls of a ${Model.labels[requested]} found; it looks like a ${
            Model.labels[detected.format]
          } (--format ${detected.format}, or leave --format out)`
        })
      }
    }
    return { ...body, format: reader.format, container: document.value.container, subagents: [] }
  })

/**
 * The largest trace file read, in bytes: 256 MiB, far above a long agent session (the Claude Code sessions
 * tried were under 2 MiB) and far below what would exhaust the heap when read as one string.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTraceBytes = 256 * 1024 * 1024

/**
 * A trace's text: only a regular file (a FIFO or a device would block the read, and with it the process, for
 * ever) of at most `maxBytes`, counted as the bytes are read (a file's stated size can lie: `/proc` files
 * say 0 and never end), decoded as UTF-8.
 */
const readText = (path: string, maxBytes: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const unreadable = (error: PlatformError.PlatformError) =>
      new TraceUnreadable({
        path,
        reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message
      })
    const tooLarge = new TraceUnreadable({ path, reason: `more than the ${maxBytes} bytes a trace may have` })
    const info = yield* Effect.mapError(fs.stat(path), unreadable)
    if (info.type !== "File") {
      return yield* new TraceUnreadable({ path, reason: `not a regular file (${info.type})` })
    }
    if (Number(info.size) > maxBytes) return yield* tooLarge
    const chunks = yield* fs.stream(path, { bytesToRead: maxBytes + 1 }).pipe(
      Stream.mapError(unreadable),
      Stream.runCollect
    )
    const bytes = new Uint8Array(Chunk.reduce(chunks, 0, (total, chunk) => total + chunk.length))
    if (bytes.length > maxBytes) return yield* tooLarge
    Chunk.reduce(chunks, 0, (offset, chunk) => {
      bytes.set(chunk, offset)
      return offset + chunk.length
    })
    return yield* Effect.try({
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
      catch: () => new TraceUnreadable({ path, reason: "not valid UTF-8" })
    })
  })

const subagentFiles = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const folder = paths.join(paths.dirname(path), paths.basename(path, ".jsonl"), "subagents")
    const names = yield* Effect.orElseSucceed(fs.readDirectory(folder), () => [])
    return names.filter((name) => /^agent-.*\.jsonl$/.test(name)).sort().map((name) => paths.join(folder, name))
  })

/**
 * Reads and parses a trace file, with a Claude Code session's subagent files.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (
  path: string,
  requested: Model.Format | "auto" = "auto",
  /** The most bytes read of the trace and of each subagent file. */
  maxBytes: number = maxTraceBytes
): Effect.Effect<Model.Trace, TraceUnreadable | UnknownTraceFormat, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const trace = yield* Effect.flatMap(readText(path, maxBytes), (text) => parse(path, text, requested))
    if (trace.format !== "claude-code") return trace
    const paths = yield* Path.Path
    const turns: Array<Model.Turn> = [...trace.turns]
    const skipped: Array<Model.Skipped> = [...trace.skipped]
    const subagents: Array<string> = []
    for (const file of yield* subagentFiles(path)) {
      const name = paths.basename(file, ".jsonl")
      const sub = yield* Effect.option(
        Effect.flatMap(readText(file, maxBytes), (text) => parse(file, text, "claude-code"))
      )
      if (Option.isNone(sub)) {
        skipped.push({ where: name, reason: "subagent file unreadable" })
        continue
      }
      subagents.push(name)
      for (const turn of sub.value.turns) turns.push({ ...turn, agent: name })
      for (const skip of sub.value.skipped) skipped.push({ where: `${name} ${skip.where}`, reason: skip.reason })
    }
    return { ...trace, turns, skipped, subagents }
  })
