/**
 * A trace file's text as JSON: one document, or JSON lines (with the numbers of the lines that are not JSON).
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import type * as Model from "../model.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Document =
  | { readonly container: "json"; readonly value: unknown }
  | {
    readonly container: "jsonl"
    readonly values: ReadonlyArray<{ readonly line: number; readonly value: unknown }>
    readonly bad: ReadonlyArray<number>
  }

/**
 * One reader per format: whether a document looks like the format, and the trace it holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader {
  readonly format: Model.Format
  readonly detect: (document: Document) => boolean
  readonly read: (document: Document) => Model.Body
  /**
   * Whether a JSON line is one of this format's own (a session file's event, not a generic chat message), so
   * that a file holding the lines of several agents is split into one session per format.
   */
  readonly owns?: (value: unknown) => boolean
}

/**
 * Parses the text: one JSON document, else JSON lines; `None` when no line is JSON.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Option.Option<Document> => {
  const whole = Json.parse(text)
  if (Option.isSome(whole)) return Option.some({ container: "json", value: whole.value })
  const values: Array<{ line: number; value: unknown }> = []
  const bad: Array<number> = []
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return
    Option.match(Json.parse(line), {
      onNone: () => bad.push(index + 1),
      onSome: (value) => values.push({ line: index + 1, value })
    })
  })
  return values.length === 0 ? Option.none() : Option.some({ container: "jsonl", values, bad })
}

/**
 * The entries of a document: the lines of JSONL, the items of a JSON array, or the array under one of `keys`
 * of a JSON object (else the object itself).
 *
 * @since 0.1.0
 * @category accessors
 */
export const entries = (
  document: Document,
  keys: ReadonlyArray<string> = []
): ReadonlyArray<{ readonly line: number; readonly value: unknown }> => {
  if (document.container === "jsonl") return document.values
  const value = document.value
  const list = Array.isArray(value)
    ? value
    : keys.map((key) => Json.arr(value, key)).find((items) => items.length > 0) ?? [value]
  return list.map((item, index) => ({ line: index + 1, value: item }))
}

/**
 * Where an entry is, for messages: `line N` in JSONL, `item N` in JSON.
 *
 * @since 0.1.0
 * @category accessors
 */
export const where = (document: Document, line: number): string =>
  document.container === "jsonl" ? `line ${line}` : `item ${line}`

/**
 * Reports the lines of a JSONL document that are not JSON.
 *
 * @since 0.1.0
 * @category accessors
 */
export const badLines = (document: Document): ReadonlyArray<Model.Skipped> =>
  document.container === "jsonl"
    ? document.bad.map((line) => ({ where: `line ${line}`, reason: "not valid JSON" }))
    : []

/**
 * Parses a JSON-string argument (`function.arguments`), passing objects through; `Left` when it is not JSON.
 *
 * @since 0.1.0
 * @category parsing
 */
export const argumentsOf = (raw: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (typeof raw !== "string") return { ok: true, value: raw ?? {} }
  if (raw.trim() === "") return { ok: true, value: {} }
  return Option.match(Json.parse(raw), { onNone: () => ({ ok: false }), onSome: (value) => ({ ok: true, value }) })
}

/**
 * The tool calls of an Anthropic-style content array (`tool_use` blocks: `id`, `name`, `input`), in order; a
 * malformed block is skipped on `builder` with its place.
 *
 * @since 0.1.0
 * @category parsing
 */
export const toolUses = (
  blocks: ReadonlyArray<unknown>,
  builder: Model.Builder,
  place: string
): Array<{ readonly id: string; readonly name: string; readonly input: unknown; readonly block: unknown }> =>
  blocks.flatMap((block, k) => {
    if (Json.str(block, "type") !== "tool_use") return []
    const id = Json.str(block, "id")
    const name = Json.str(block, "name")
    if (id === undefined || name === undefined) {
      builder.skip(`${place}, block ${k + 1}`, "malformed tool_use block (id, name, input)")
      return []
    }
    return [{ id, name, input: Json.isObj(block) ? block["input"] ?? {} : {}, block }]
  })
