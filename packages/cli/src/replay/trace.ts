/**
 * Reading a trace file of any supported format: the text (UTF-8, or UTF-16 with a byte-order mark) is parsed
 * as JSON or JSON lines, the format detected (or forced with `--format`) and read by its reader into the one
 * {@link Model.Trace} model. A Claude Code session's subagent files (`<session>/subagents/agent-*.jsonl`
 * beside `<session>.jsonl`) are read too, and their turns follow the session's.
 *
 * A file may hold several sessions: JSON lines of several agents (each format's own lines are one session),
 * or a JSON array of whole sessions (`{ messages }`, `{ trajectory }`, `{ info, messages }`, ...). Each is read
 * as a trace of its own, named in {@link Model.Trace}'s `session`; none is dropped.
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
import * as Json from "./json.js"
import * as Model from "./model.js"
import * as Chat from "./readers/chat.js"
import * as ClaudeCode from "./readers/claudeCode.js"
import * as Cline from "./readers/cline.js"
import * as Codex from "./readers/codex.js"
import * as Document from "./readers/document.js"
import * as Gemini from "./readers/gemini.js"
import * as OpenCode from "./readers/openCode.js"
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
  OpenCode.reader,
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

/** The keys under which a JSON object holds a whole session. */
const sessionKeys = ["messages", "trajectory", "events", "history"]

/**
 * The sessions of a document, each with the reader that detects it: the lines each format owns when JSON lines
 * of several agents are mixed, the items of a JSON array of whole sessions, else the document itself.
 */
const sessions = (
  document: Document.Document
): Array<{ readonly document: Document.Document; readonly label: string | null }> => {
  if (document.container === "jsonl") {
    const owned = new Map<Document.Reader, Array<{ readonly line: number; readonly value: unknown }>>()
    for (const entry of document.values) {
      const owner = readers.find((reader) => reader.owns?.(entry.value) === true)
      if (owner !== undefined) owned.set(owner, [...(owned.get(owner) ?? []), entry])
    }
    // a format's lines are a session of their own when they hold its tool calls; other lines hold none
    const parts = [...owned].flatMap(([reader, values], i) => {
      const part: Document.Document = { container: "jsonl", values, bad: i === 0 ? document.bad : [] }
      return reader.detect(part) ? [{ document: part, label: `${reader.format} lines` }] : []
    })
    if (parts.length > 1) return parts
    return [{ document, label: null }]
  }
  const items = Array.isArray(document.value) ? document.value : []
  const whole = items.filter((item) =>
    Json.isObj(item) && sessionKeys.some((key) => Json.arr(item, key).length > 0) &&
    readers.some((reader) => reader.detect({ container: "json", value: item }))
  )
  if (whole.length > 1 && whole.length === items.length) {
    return whole.map((value, i) => ({ document: { container: "json", value }, label: `item ${i + 1}` }))
  }
  return [{ document, label: null }]
}

/**
 * Parses a trace's text in the given format, or the detected one: one trace per session it holds.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseAll = (
  path: string,
  text: string,
  requested: Model.Format | "auto" = "auto"
): Effect.Effect<ReadonlyArray<Model.Trace>, UnknownTraceFormat> =>
  Effect.gen(function*() {
    const document = Document.parse(text)
    if (Option.isNone(document)) {
      return yield* new UnknownTraceFormat({ path, reason: `neither a JSON document nor JSON lines; ${supported}` })
    }
    const parts = requested === "auto" ? sessions(document.value) : [{ document: document.value, label: null }]
    return yield* Effect.forEach(parts, (part) =>
      Effect.map(
        parseDocument(path, { value: part.document }, requested),
        (trace) => ({ ...trace, session: part.label })
      ))
  })

/**
 * Parses a trace's text holding one session; one holding several is an error naming them (see
 * {@link parseAll}).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  path: string,
  text: string,
  requested: Model.Format | "auto" = "auto"
): Effect.Effect<Model.Trace, UnknownTraceFormat> =>
  Effect.flatMap(parseAll(path, text, requested), (traces) => {
    const [first] = traces
    if (first !== undefined && traces.length === 1) return Effect.succeed(first)
    return new UnknownTraceFormat({
      path,
      reason: `it holds ${traces.length} sessions (${
        traces.map((trace) => `${trace.session ?? "?"}: ${Model.labels[trace.format]}`).join("; ")
      }): read them with parseAll`
    })
  })

const parseDocument = (
  path: string,
  document: { readonly value: Document.Document },
  requested: Model.Format | "auto"
): Effect.Effect<Model.Trace, UnknownTraceFormat> =>
  Effect.gen(function*() {
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
    return { ...body, format: reader.format, container: document.value.container, subagents: [], session: null }
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
 * say 0 and never end), decoded by {@link decode}.
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
    return yield* Effect.mapError(decode(bytes), (reason) => new TraceUnreadable({ path, reason }))
  })

/**
 * The UTF-16 byte order of text without a byte-order mark, judged by its NUL bytes (JSON text holds none: in
 * UTF-16 every ASCII character has one, at odd positions little-endian, at even ones big-endian); `undefined`
 * when fewer than a quarter of the first bytes are NUL.
 */
const utf16Order = (bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined => {
  const sample = bytes.subarray(0, 4096)
  let nulEven = 0
  let nulOdd = 0
  sample.forEach((byte, i) => {
    if (byte !== 0) return
    if (i % 2 === 0) nulEven++
    else nulOdd++
  })
  if (Math.max(nulEven, nulOdd) <= sample.length / 4) return undefined
  return nulOdd >= nulEven ? "utf-16le" : "utf-16be"
}

/**
 * A trace's bytes as text: by its byte-order mark (UTF-8, UTF-16 little- or big-endian: Windows tools write
 * UTF-16 with one), else UTF-16 when its NUL bytes say so, else UTF-8. Bytes that are not valid in that
 * encoding are refused, not decoded lossily.
 *
 * @since 0.1.0
 * @category parsing
 */
export const decode = (bytes: Uint8Array): Effect.Effect<string, string> => {
  const [a, b, c] = bytes
  const [encoding, skip, marked] = a === 0xef && b === 0xbb && c === 0xbf
    ? ["utf-8", 3, true] as const
    : a === 0xff && b === 0xfe
    ? ["utf-16le", 2, true] as const
    : a === 0xfe && b === 0xff
    ? ["utf-16be", 2, true] as const
    : [utf16Order(bytes) ?? "utf-8", 0, false] as const
  return Effect.try({
    try: () => new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(skip)),
    catch: () =>
      `not valid ${encoding.toUpperCase()}${
        marked
          ? " after its byte-order mark"
          : encoding === "utf-8"
          ? ""
          : " (judged by its NUL bytes, without a byte-order mark)"
      }`
  })
}

const subagentFiles = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const folder = paths.join(paths.dirname(path), paths.basename(path, ".jsonl"), "subagents")
    const names = yield* Effect.orElseSucceed(fs.readDirectory(folder), () => [])
    return names.filter((name) => /^agent-.*\.jsonl$/.test(name)).sort().map((name) => paths.join(folder, name))
  })

/**
 * Reads and parses a trace file, one trace per session it holds, with a Claude Code session's subagent files.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (
  path: string,
  requested: Model.Format | "auto" = "auto",
  /** The most bytes read of the trace and of each subagent file. */
  maxBytes: number = maxTraceBytes
): Effect.Effect<
  ReadonlyArray<Model.Trace>,
  TraceUnreadable | UnknownTraceFormat,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.flatMap(
    readText(path, maxBytes),
    (text) =>
      Effect.flatMap(parseAll(path, text, requested), (traces) =>
        Effect.forEach(traces, (trace) =>
          traces.length === 1 ? withSubagents(path, trace, maxBytes) : Effect.succeed(trace)))
  )

const withSubagents = (path: string, trace: Model.Trace, maxBytes: number) =>
  Effect.gen(function*() {
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
