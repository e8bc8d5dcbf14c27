/**
 * Reading trace files: encodings (UTF-8 with or without a byte-order mark, UTF-16 with one), and files holding
 * several sessions.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import * as Trace from "../../src/replay/trace.js"

const session = JSON.stringify({
  sessionId: "s",
  messages: [{
    id: "g",
    type: "gemini",
    timestamp: "2026-01-01T00:00:00.000Z",
    toolCalls: [{ id: "c", name: "read_file", args: { absolute_path: "/p/é.ts" } }]
  }]
})

const file = (bytes: Uint8Array) => {
  const path = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-trace-")), "t.json")
  fs.writeFileSync(path, bytes)
  return path
}

const utf16be = (text: string): Uint8Array => {
  const le = Buffer.from(text, "utf16le")
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] ?? 0, le[i] ?? 0]
  return le
}

describe("trace encodings", () => {
  it.effect("UTF-16 little- and big-endian with a byte-order mark, and UTF-8 with one, read as the same trace", () =>
    Effect.gen(function*() {
      const encodings = [
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(session, "utf16le")]),
        Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(session)]),
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(session, "utf8")]),
        Buffer.from(session, "utf8")
      ]
      for (const bytes of encodings) {
        const [trace] = yield* Trace.read(file(bytes))
        expect(trace?.format).toBe("gemini")
        expect(trace?.turns[0]?.calls[0]?.input).toEqual({ absolute_path: "/p/é.ts" })
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("UTF-16 without a mark is read by its NUL bytes; bytes invalid in their encoding are refused", () =>
    Effect.gen(function*() {
      const [le] = yield* Trace.read(file(Buffer.from(session, "utf16le")))
      expect(le?.format).toBe("gemini")
      const [be] = yield* Trace.read(file(utf16be(session)))
      expect(be?.turns[0]?.calls[0]?.input).toEqual({ absolute_path: "/p/é.ts" })
      const broken = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0x00, 0xd8, 0x41, 0x00])])
      expect((yield* Effect.flip(Trace.read(file(broken)))).message).toContain(
        "not valid UTF-16LE after its byte-order mark"
      )
      expect(yield* Effect.flip(Trace.decode(Buffer.from([0x7b, 0xe9, 0x7d])))).toBe("not valid UTF-8")
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("files holding several sessions", () => {
  it.effect("parse refuses to pick one and names them; parseAll gives each", () =>
    Effect.gen(function*() {
      const text = JSON.stringify([JSON.parse(session), JSON.parse(session)])
      const error = yield* Effect.flip(Trace.parse("two.json", text))
      expect(error.message).toContain("it holds 2 sessions (item 1: Gemini CLI session; item 2: Gemini CLI session)")
      const all = yield* Trace.parseAll("two.json", text)
      expect(all.map((trace) => trace.session)).toEqual(["item 1", "item 2"])
    }))

  it.effect("a JSON array of messages is one session, not one per message", () =>
    Effect.gen(function*() {
      const messages = [
        {
          role: "assistant",
          tool_calls: [{ id: "a", function: { name: "read_file", arguments: "{\"path\":\"x\"}" } }]
        },
        { role: "tool", tool_call_id: "a", content: "x" }
      ]
      const all = yield* Trace.parseAll("chat.json", JSON.stringify(messages))
      expect(all.map((trace) => [trace.format, trace.session])).toEqual([["openai", null]])
    }))
})
