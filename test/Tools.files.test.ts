/**
 * The file tools attacked as a model under prompt injection would: races on paths, FIFOs, hard links,
 * encodings, pathological patterns and sizes. Every fault of issue 12 has a regression test here.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as Tools from "../src/tools/Tools.js"
import { setup } from "./utils/tools.js"

const mkfifo = (path: string) => ChildProcess.execFileSync("mkfifo", [path])

describe("Tools files: races on paths", () => {
  it.scoped(
    "a directory swapped for a symlink out of the root never receives a write, read or edit",
    () =>
      Effect.gen(function*() {
        const { file, fs, outside, root, tools } = yield* setup()
        yield* file("d/target.txt", "inside\n")
        yield* fs.makeDirectory(`${root}/d.real`)
        yield* fs.writeFileString(`${root}/d.real/target.txt`, "inside\n")
        yield* fs.writeFileString(`${outside}/target.txt`, "outside\n")
        // Another process flips d between a real directory and a symlink to outside, as fast as it can.
        const swapper = ChildProcess.spawn("bash", [
          "-c",
          `cd ${root}; while :; do mv -T d d.tmp; ln -s ${outside} d; rm d; mv -T d.tmp d; done`
        ], { stdio: "ignore" })
        yield* Effect.addFinalizer(() => Effect.sync(() => swapper.kill("SIGKILL")))
        const outcomes = new Set<string>()
        for (let round = 0; round < 300; round++) {
          const results = yield* Effect.all([
            Effect.either(tools.write({ path: `d/w${round}.txt`, content: "x" })),
            Effect.either(tools.read({ path: "d/target.txt" })),
            Effect.either(tools.edit({ path: "d/target.txt", oldString: "inside", newString: "inside" }))
          ])
          for (const result of results) {
            outcomes.add(result._tag === "Left" ? result.left._tag : "ok")
            if (result._tag === "Right") expect(result.right).not.toBe("outside\n")
          }
        }
        swapper.kill("SIGKILL")
        expect(NodeFs.readdirSync(outside).sort()).toEqual(["secret.txt", "target.txt"])
        expect(NodeFs.readFileSync(`${outside}/target.txt`, "utf8")).toBe("outside\n")
        expect([...outcomes].filter((tag) => !["ok", "PathOutsideRoot", "FileNotFound"].includes(tag))).toEqual([])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scoped("refuses a symlink loop with a typed error", () =>
    Effect.gen(function*() {
      const { fs, root, tools } = yield* setup()
      yield* fs.symlink(`${root}/b`, `${root}/a`)
      yield* fs.symlink(`${root}/a`, `${root}/b`)
      expect(yield* Effect.flip(tools.read({ path: "a" }))).toMatchObject({ _tag: "ToolFailed", tool: "read" })
      expect(yield* Effect.flip(tools.write({ path: "a/x", content: "" }))).toMatchObject({ _tag: "ToolFailed" })
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("Tools files: FIFOs, sockets, devices and hard links", () => {
  it.scoped("refuses a FIFO at once, for every tool, and keeps working afterwards", () =>
    Effect.gen(function*() {
      const { file, fs, root, tools } = yield* setup()
      mkfifo(`${root}/fifo`)
      yield* fs.symlink(`${root}/fifo`, `${root}/fifo-link`)
      yield* fs.symlink("/dev/zero", `${root}/zero`)
      yield* file("a.txt", "hello\n")
      const reads = yield* Effect.all(
        Array.from({ length: 8 }, () => Effect.flip(tools.read({ path: "fifo" }))),
        { concurrency: "unbounded" }
      )
      for (const error of reads) {
        expect(error).toEqual(new Tools.UnsupportedFile({ tool: "read", path: "fifo", reason: "refusing a FIFO" }))
      }
      expect(yield* Effect.flip(tools.read({ path: "fifo-link" }))).toMatchObject({ _tag: "UnsupportedFile" })
      expect(yield* Effect.flip(tools.write({ path: "fifo", content: "x" }))).toMatchObject({ _tag: "UnsupportedFile" })
      expect(yield* Effect.flip(tools.edit({ path: "fifo", oldString: "a", newString: "b" }))).toMatchObject({
        _tag: "UnsupportedFile"
      })
      expect(yield* Effect.flip(tools.read({ path: "zero" }))).toMatchObject({ _tag: "PathOutsideRoot" })
      expect(yield* tools.grep({ pattern: "hello" })).toEqual([{ path: "a.txt", line: 1, text: "hello" }])
      expect(yield* tools.glob({ pattern: "*" })).toEqual(["a.txt"])
      expect(yield* tools.ls({})).toEqual([
        { name: "a.txt", type: "file" },
        { name: "fifo", type: "other" },
        { name: "fifo-link", type: "symlink" },
        { name: "zero", type: "symlink" }
      ])
      expect(yield* tools.read({ path: "a.txt" })).toBe("hello\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("refuses to write or edit through a hard link (a file outside the root stays unchanged)", () =>
    Effect.gen(function*() {
      const { outside, root, tools } = yield* setup()
      NodeFs.linkSync(`${outside}/secret.txt`, `${root}/linked.txt`)
      const edit = yield* Effect.flip(tools.edit({ path: "linked.txt", oldString: "secret", newString: "owned" }))
      expect(edit).toEqual(
        new Tools.UnsupportedFile({
          tool: "edit",
          path: "linked.txt",
          reason: "refusing to write a file with 2 hard links"
        })
      )
      expect(yield* Effect.flip(tools.write({ path: "linked.txt", content: "owned" }))).toMatchObject({
        _tag: "UnsupportedFile",
        tool: "write"
      })
      expect(NodeFs.readFileSync(`${outside}/secret.txt`, "utf8")).toBe("secret\n")
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("Tools files: ls reveals nothing outside the root", () => {
  it.scoped("lists every link out of the root alike, whatever its target is or whether it exists", () =>
    Effect.gen(function*() {
      const { file, fs, outside, root, tools } = yield* setup()
      yield* fs.makeDirectory(`${outside}/dir`)
      yield* fs.symlink(`${outside}/dir`, `${root}/to-dir`)
      yield* fs.symlink(`${outside}/secret.txt`, `${root}/to-file`)
      yield* fs.symlink(`${outside}/missing`, `${root}/to-missing`)
      yield* fs.symlink("/etc/shadow", `${root}/to-shadow`)
      yield* fs.symlink("../outside/dir", `${root}/relative-out`)
      yield* file("in/a.txt", "")
      yield* fs.symlink("in", `${root}/to-in`)
      yield* fs.symlink("in/a.txt", `${root}/to-a`)
      yield* fs.symlink("in/missing", `${root}/to-in-missing`)
      expect(yield* tools.ls({})).toEqual([
        { name: "in", type: "directory" },
        { name: "relative-out", type: "symlink" },
        { name: "to-a", type: "file" },
        { name: "to-dir", type: "symlink" },
        { name: "to-file", type: "symlink" },
        { name: "to-in", type: "directory" },
        { name: "to-in-missing", type: "symlink" },
        { name: "to-missing", type: "symlink" },
        { name: "to-shadow", type: "symlink" }
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("Tools files: byte-exact edit", () => {
  it.scoped("keeps Latin-1 and binary bytes elsewhere, the BOM and CRLF line endings", () =>
    Effect.gen(function*() {
      const { bytes, file, tools } = yield* setup()
      const latin1 = Buffer.concat([Buffer.from("caf"), Buffer.from([0xe9]), Buffer.from("\nname = old\n\x00\xff")])
      yield* file("latin1.txt", latin1)
      expect(yield* tools.edit({ path: "latin1.txt", oldString: "old", newString: "new" })).toBe(1)
      expect(Buffer.from(yield* bytes("latin1.txt"))).toEqual(
        Buffer.concat([Buffer.from("caf"), Buffer.from([0xe9]), Buffer.from("\nname = new\n\x00\xff")])
      )
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a\r\nb\r\nc\r\n")])
      yield* file("bom.txt", bom)
      expect(yield* tools.edit({ path: "bom.txt", oldString: "a\nb", newString: "x\ny" })).toBe(1)
      expect(Buffer.from(yield* bytes("bom.txt"))).toEqual(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x\r\ny\r\nc\r\n")])
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("edits UTF-16 files (by their BOM) in their encoding", () =>
    Effect.gen(function*() {
      const { bytes, file, tools } = yield* setup()
      yield* file("le.txt", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("héllo wörld", "utf16le")]))
      expect(yield* tools.edit({ path: "le.txt", oldString: "wörld", newString: "there" })).toBe(1)
      expect(Buffer.from(yield* bytes("le.txt"))).toEqual(
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("héllo there", "utf16le")])
      )
      const be = Buffer.from("abc", "utf16le").swap16()
      yield* file("be.txt", Buffer.concat([Buffer.from([0xfe, 0xff]), be]))
      expect(yield* tools.edit({ path: "be.txt", oldString: "b", newString: "BB" })).toBe(1)
      expect(Buffer.from(yield* bytes("be.txt"))).toEqual(
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("aBBc", "utf16le").swap16()])
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("fails with InvalidEncoding where the match lies in bytes that are not UTF-8, leaving the file alone", () =>
    Effect.gen(function*() {
      const { bytes, file, tools } = yield* setup()
      const content = Buffer.concat([Buffer.from("ok line\nname = "), Buffer.from([0xe9, 0xff]), Buffer.from(" old\n")])
      yield* file("bad.txt", content)
      expect(yield* Effect.flip(tools.edit({ path: "bad.txt", oldString: "old", newString: "new" }))).toEqual(
        new Tools.InvalidEncoding({ tool: "edit", path: "bad.txt" })
      )
      expect(yield* Effect.flip(tools.edit({ path: "bad.txt", oldString: "\uFFFD\uFFFD old", newString: "x" })))
        .toMatchObject({ _tag: "InvalidEncoding" })
      expect(Buffer.from(yield* bytes("bad.txt"))).toEqual(content)
      expect(yield* tools.edit({ path: "bad.txt", oldString: "ok line", newString: "fine" })).toBe(1)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped.prop(
    "changes exactly the matched bytes, whatever bytes surround them on other lines",
    [FastCheck.uint8Array({ maxLength: 200 }), FastCheck.uint8Array({ maxLength: 200 })],
    ([before, after]) =>
      Effect.gen(function*() {
        const { bytes, file, tools } = yield* setup()
        const strip = (array: Uint8Array) => Buffer.from(array.filter((byte) => byte !== 0x0a && byte !== 0x40))
        const head = Buffer.concat([strip(before), Buffer.from("\n")])
        const tail = Buffer.concat([Buffer.from("\n"), strip(after)])
        yield* file("f.bin", Buffer.concat([head, Buffer.from("@@marker@@"), tail]))
        expect(yield* tools.edit({ path: "f.bin", oldString: "@@marker@@", newString: "é" })).toBe(1)
        expect(Buffer.from(yield* bytes("f.bin"))).toEqual(Buffer.concat([head, Buffer.from("é"), tail]))
      }).pipe(Effect.provide(NodeContext.layer)),
    { fastCheck: { numRuns: 30 } }
  )
})

describe("Tools files: bounded work", () => {
  it.scoped("read honours offset/limit on a 600 MB (sparse) file without reading it, and caps whole reads", () =>
    Effect.gen(function*() {
      const { file, root, tools } = yield* setup({ maxReadBytes: 1024 })
      yield* file("big.txt", "first\nsecond\nthird\n")
      NodeFs.truncateSync(`${root}/big.txt`, 600 * 1024 * 1024)
      expect(yield* tools.read({ path: "big.txt", limit: 2 })).toBe("first\nsecond")
      expect(yield* tools.read({ path: "big.txt", offset: 2, limit: 1 })).toBe("third")
      expect(yield* Effect.flip(tools.read({ path: "big.txt" }))).toEqual(
        new Tools.FileTooLarge({ tool: "read", path: "big.txt", limit: 1024 })
      )
      expect(yield* Effect.flip(tools.read({ path: "big.txt", offset: 3, limit: 1 }))).toMatchObject({
        _tag: "FileTooLarge"
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped.prop(
    "a streamed window equals the lines of the whole text",
    [
      FastCheck.array(FastCheck.string({ maxLength: 5 }).filter((line) => !line.includes("\n")), { maxLength: 12 }),
      FastCheck.nat(14),
      FastCheck.option(FastCheck.integer({ min: 1, max: 14 }), { nil: undefined })
    ],
    ([lines, offset, limit]) =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        const text = lines.join("\n")
        yield* file("w.txt", text)
        const expected = text.split("\n").slice(offset, limit === undefined ? undefined : offset + limit).join("\n")
        expect(yield* tools.read(limit === undefined ? { path: "w.txt", offset } : { path: "w.txt", offset, limit }))
          .toBe(expected)
      }).pipe(Effect.provide(NodeContext.layer)),
    { fastCheck: { numRuns: 40 } }
  )

  it.scoped("refuses paths that are too long or too deep before touching the disk", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const deep = Array.from({ length: 10_000 }, (_, index) => `m${index}`).join("/")
      expect(yield* Effect.flip(tools.read({ path: deep }))).toMatchObject({
        _tag: "InvalidToolArguments",
        field: "path"
      })
      expect(yield* Effect.flip(tools.write({ path: "x".repeat(5000), content: "" }))).toMatchObject({
        _tag: "InvalidToolArguments",
        field: "path"
      })
      expect(yield* Effect.flip(tools.read({ path: "a\u0000b" }))).toMatchObject({ field: "path" })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("runs catastrophic patterns in linear time (RE2) and refuses what RE2 cannot run", () =>
    Effect.gen(function*() {
      const { file, tools } = yield* setup()
      yield* file("a.txt", `${"a".repeat(100_000)}b\n`)
      yield* file(`${"a".repeat(200)}`, "")
      expect(yield* tools.grep({ pattern: "^(a+)+$" })).toEqual([])
      expect(yield* tools.grep({ pattern: "(a|aa)*c" })).toEqual([])
      expect(yield* tools.glob({ pattern: `${"a*".repeat(20)}b` })).toEqual([])
      expect(yield* Effect.flip(tools.grep({ pattern: "(a)\\1" }))).toMatchObject({
        _tag: "InvalidToolArguments",
        field: "pattern"
      })
      expect(yield* Effect.flip(tools.grep({ pattern: "(?=a)" }))).toMatchObject({ field: "pattern" })
      expect(yield* Effect.flip(tools.glob({ pattern: "!(a)" }))).toMatchObject({ field: "pattern" })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("grep skips files over maxGrepFileBytes", () =>
    Effect.gen(function*() {
      const { file, tools } = yield* setup({ maxGrepFileBytes: 100 })
      yield* file("small.txt", "needle\n")
      yield* file("large.txt", `needle\n${"x".repeat(200)}`)
      expect(yield* tools.grep({ pattern: "needle" })).toEqual([{ path: "small.txt", line: 1, text: "needle" }])
    }).pipe(Effect.provide(NodeContext.layer)))
})
