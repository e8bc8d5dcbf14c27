/**
 * The `edit` tool: byte-exact replacement.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { readAll, replaceContent, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import type { FileTooLarge, ToolFailed } from "./errors.js"
import { InvalidEncoding, OldStringAmbiguous, OldStringNotFound } from "./errors.js"
import type { EditArgs } from "./schemas.js"

interface Encoding {
  readonly label: "utf-8" | "utf-16le" | "utf-16be"
  /** The bytes of the byte order mark, 0 when there is none. */
  readonly bom: number
  /** The size of one code unit: matches must start on a multiple of it. */
  readonly unit: number
  readonly encode: (text: string) => Buffer
}

const utf16be = (text: string): Buffer => {
  const bytes = Buffer.from(text, "utf16le")
  return bytes.swap16()
}

// The encoding a file's BOM announces; UTF-8 without one.
const detect = (bytes: Buffer): Encoding => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { label: "utf-8", bom: 3, unit: 1, encode: (text) => Buffer.from(text, "utf8") }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { label: "utf-16le", bom: 2, unit: 2, encode: (text) => Buffer.from(text, "utf16le") }
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: "utf-16be", bom: 2, unit: 2, encode: utf16be }
  return { label: "utf-8", bom: 0, unit: 1, encode: (text) => Buffer.from(text, "utf8") }
}

const isValid = (encoding: Encoding, bytes: Uint8Array): boolean => {
  try {
    new TextDecoder(encoding.label, { fatal: true, ignoreBOM: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

// The start offsets of the non-overlapping occurrences of `needle` in `body`, on code-unit boundaries.
const occurrencesOf = (body: Buffer, needle: Buffer, unit: number): Array<number> => {
  const found: Array<number> = []
  let from = 0
  while (from <= body.length - needle.length) {
    const index = body.indexOf(needle, from)
    if (index === -1) break
    if (index % unit === 0) {
      found.push(index)
      from = index + needle.length
    } else {
      from = index + 1
    }
  }
  return found
}

// The whole lines around bytes [start, end) of `body`.
const linesAround = (body: Buffer, newline: Buffer, start: number, end: number): Buffer => {
  const before = start === 0 ? -1 : body.lastIndexOf(newline, start - 1)
  const after = body.indexOf(newline, end)
  return body.subarray(before === -1 ? 0 : before + newline.length, after === -1 ? body.length : after)
}

const toCrlf = (text: string): string => text.replace(/\r?\n/g, "\r\n")

/**
 * Replaces `oldString` by `newString` as bytes in the file's encoding (UTF-8, or UTF-16 announced by a BOM):
 * its single occurrence, or all of them with `replaceAll`. Every other byte (BOM, other lines, line endings,
 * bytes that are not text) is kept exactly. When the file uses CRLF and `oldString` only matches with its line
 * breaks written as CRLF, both strings are converted. The lines where the match lies must be valid in the
 * encoding (`InvalidEncoding` otherwise); the file is opened once, read-write, never through a symlink, never
 * with other hard links. The number of replacements.
 *
 * @internal
 */
export const edit = (env: ToolEnv) =>
(
  args: typeof EditArgs.Type
): Effect.Effect<
  number,
  ResolveError | FileTooLarge | ToolFailed | OldStringNotFound | OldStringAmbiguous | InvalidEncoding
> =>
  Effect.scoped(Effect.gen(function*() {
    const opened = yield* env.confined.open({ tool: "edit", input: args.path, intent: "file", access: "update" })
    const bytes = yield* readAll("edit", args.path, opened.fd, env.maxEditBytes)
    const encoding = detect(bytes)
    const body = bytes.subarray(encoding.bom)
    const newline = encoding.encode("\n")
    let oldBytes = encoding.encode(args.oldString)
    let newBytes = encoding.encode(args.newString)
    let found = occurrencesOf(body, oldBytes, encoding.unit)
    if (found.length === 0 && args.oldString.includes("\n") && body.includes(encoding.encode("\r\n"))) {
      const crlfOld = encoding.encode(toCrlf(args.oldString))
      const crlfFound = occurrencesOf(body, crlfOld, encoding.unit)
      if (crlfFound.length > 0) {
        oldBytes = crlfOld
        newBytes = encoding.encode(toCrlf(args.newString))
        found = crlfFound
      }
    }
    if (found.length === 0) {
      return yield* args.oldString.includes("\uFFFD") && !isValid(encoding, body)
        ? new InvalidEncoding({ tool: "edit", path: args.path })
        : new OldStringNotFound({ tool: "edit", path: args.path })
    }
    if (found.length > 1 && args.replaceAll !== true) {
      return yield* new OldStringAmbiguous({ tool: "edit", path: args.path, occurrences: found.length })
    }
    for (const start of found) {
      if (!isValid(encoding, linesAround(body, newline, start, start + oldBytes.length))) {
        return yield* new InvalidEncoding({ tool: "edit", path: args.path })
      }
    }
    const parts: Array<Uint8Array> = [bytes.subarray(0, encoding.bom)]
    let from = 0
    for (const start of found) {
      parts.push(body.subarray(from, start), newBytes)
      from = start + oldBytes.length
    }
    parts.push(body.subarray(from))
    yield* replaceContent("edit", opened.fd, Buffer.concat(parts))
    return found.length
  }))
