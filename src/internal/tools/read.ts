/**
 * The `read` tool.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { readAll, readChunk, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import { FileTooLarge, type ToolFailed } from "./errors.js"
import type { ReadArgs } from "./schemas.js"

const newline = 0x0a

/**
 * The text of a file (at most `maxReadBytes`), or the `limit` lines after the first `offset` lines, found by
 * streaming the file chunk by chunk: only the window is kept, and reading stops at its end. Bytes that are not
 * UTF-8 show as U+FFFD.
 *
 * @internal
 */
export const read =
  (env: ToolEnv) => (args: typeof ReadArgs.Type): Effect.Effect<string, ResolveError | FileTooLarge | ToolFailed> =>
    Effect.scoped(Effect.gen(function*() {
      const opened = yield* env.confined.open({ tool: "read", input: args.path, intent: "file" })
      if (args.offset === undefined && args.limit === undefined) {
        return new TextDecoder().decode(yield* readAll("read", args.path, opened.fd, env.maxReadBytes))
      }
      const start = args.offset ?? 0
      const end = args.limit === undefined ? Number.POSITIVE_INFINITY : start + args.limit
      const kept: Array<Uint8Array> = []
      let keptBytes = 0
      const keep = (bytes: Uint8Array) => {
        kept.push(bytes)
        keptBytes += bytes.length
      }
      let line = 0
      let position = 0
      while (line < end) {
        const chunk = yield* readChunk("read", opened.fd, position)
        if (chunk.length === 0) break
        position += chunk.length
        let from = 0
        while (from < chunk.length && line < end) {
          const found = chunk.indexOf(newline, from)
          const to = found === -1 ? chunk.length : found
          if (line >= start) keep(chunk.subarray(from, to))
          if (found === -1) {
            from = chunk.length
          } else {
            if (line >= start && line + 1 < end) keep(chunk.subarray(found, found + 1))
            line++
            from = found + 1
          }
        }
        if (keptBytes > env.maxReadBytes) {
          return yield* new FileTooLarge({ tool: "read", path: args.path, limit: env.maxReadBytes })
        }
        yield* Effect.yieldNow()
      }
      return new TextDecoder().decode(Buffer.concat(kept, keptBytes))
    }))
