import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Patterns from "../src/internal/tools/patterns.js"
import * as Tools from "../src/tools/Tools.js"
import { setup } from "./utils/tools.js"

describe("Tools", () => {
  describe("names and lanes", () => {
    it("routes the query tools to the query lane and the others to execute", () => {
      expect(Tools.names).toEqual(["read", "ls", "glob", "grep", "write", "edit", "bash"])
      expect(Tools.lanes).toEqual({
        read: "query",
        ls: "query",
        glob: "query",
        grep: "query",
        write: "execute",
        edit: "execute",
        bash: "execute"
      })
      expect(Tools.definitions.map((definition) => [definition.name, definition.lane])).toEqual(
        Tools.names.map((name) => [name, Tools.lanes[name]])
      )
      expect(Tools.isToolName("grep")).toBe(true)
      expect(Tools.isToolName("rm")).toBe(false)
    })
  })

  describe("glob patterns (picomatch on RE2)", () => {
    it("matches *, **, ?, [...], {a,b} and escapes, dot files included", () => {
      const cases: ReadonlyArray<readonly [string, string, boolean]> = [
        ["*.ts", "a.ts", true],
        ["*.ts", "src/a.ts", false],
        ["**/*.ts", "a.ts", true],
        ["**/*.ts", "src/deep/a.ts", true],
        ["**/*.ts", "a.tsx", false],
        ["src/**", "src/a/b.js", true],
        ["src/**/b.js", "src/b.js", true],
        ["src/**/b.js", "src/x/y/b.js", true],
        ["src/**/b.js", "srcb.js", false],
        ["?.md", "a.md", true],
        ["?.md", "ab.md", false],
        ["?.md", "/.md", false],
        ["*.{ts,js}", "a.js", true],
        ["*.{ts,js}", "a.css", false],
        ["{src,test}/**/*.{ts,tsx}", "test/x/a.tsx", true],
        ["a.b", "axb", false],
        ["\\*.ts", "*.ts", true],
        ["\\*.ts", "a.ts", false],
        ["./*.ts", "a.ts", true],
        ["[a-c]*.md", "b1.md", true],
        ["[a-c]*.md", "d1.md", false],
        ["*", ".env", true],
        ["**/*.ts", ".hidden/a.ts", true]
      ]
      for (const [glob, path, expected] of cases) {
        expect([glob, path, Patterns.matcher(glob)(path)]).toEqual([glob, path, expected])
      }
      expect(Patterns.matcher("*.ts", { basename: true })("src/deep/a.ts")).toBe(true)
      expect(Patterns.isGlob("{a,b")).toBe(false)
      expect(Patterns.isGlob("[abc")).toBe(false)
      expect(Patterns.isGlob("!(a).ts")).toBe(false)
      expect(Patterns.isGlob("x".repeat(Patterns.maxPatternLength + 1))).toBe(false)
    })
  })

  describe("read", () => {
    it.scoped("returns the text, or a window of lines", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        yield* file("a.txt", "one\ntwo\nthree\nfour\n")
        expect(yield* tools.read({ path: "a.txt" })).toBe("one\ntwo\nthree\nfour\n")
        expect(yield* tools.read({ path: "a.txt", offset: 1, limit: 2 })).toBe("two\nthree")
        expect(yield* tools.read({ path: "./a.txt", offset: 3 })).toBe("four\n")
        expect(yield* tools.run({ id: "1", name: "read", args: { path: "a.txt", limit: 1 } })).toBe("one")
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("fails with FileNotFound for a missing file and UnsupportedFile for a directory", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        yield* file("dir/a.txt", "")
        const missing = yield* Effect.flip(tools.read({ path: "nope.txt" }))
        expect(missing).toEqual(new Tools.FileNotFound({ tool: "read", path: "nope.txt" }))
        expect(missing.message).toContain("nope.txt")
        const directory = yield* Effect.flip(tools.read({ path: "dir" }))
        expect(directory).toEqual(new Tools.UnsupportedFile({ tool: "read", path: "dir", reason: "is a directory" }))
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("fails malformed arguments with the field named", () =>
      Effect.gen(function*() {
        const { tools } = yield* setup()
        const run = (args: unknown) => Effect.flip(tools.run({ id: "1", name: "read", args }))
        const badPath = yield* run({ path: 42 })
        expect(badPath).toBeInstanceOf(Tools.InvalidToolArguments)
        expect(badPath).toMatchObject({ _tag: "InvalidToolArguments", tool: "read", field: "path" })
        expect(yield* run({})).toMatchObject({ tool: "read", field: "path" })
        expect(yield* run(undefined)).toMatchObject({ tool: "read", field: "path" })
        expect(yield* run({ path: "a", offset: -1 })).toMatchObject({ tool: "read", field: "offset" })
        expect(yield* run({ path: "a", limit: 1.5 })).toMatchObject({ tool: "read", field: "limit" })
        expect(yield* run("a.txt")).toMatchObject({ tool: "read", field: "args" })
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("run", () => {
    it.scoped("fails an unknown tool with UnknownTool, and later calls still work", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        yield* file("a.txt", "x")
        const error = yield* Effect.flip(tools.run({ id: "1", name: "rm", args: { path: "a.txt" } }))
        expect(error).toEqual(new Tools.UnknownTool({ tool: "rm" }))
        expect(yield* tools.run({ id: "2", name: "read", args: { path: "a.txt" } })).toBe("x")
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("names of Object.prototype's members are unknown tools, not methods", () =>
      Effect.gen(function*() {
        const { tools } = yield* setup()
        for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
          expect(yield* Effect.flip(tools.run({ id: name, name }))).toEqual(new Tools.UnknownTool({ tool: name }))
        }
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("ls", () => {
    it.scoped("lists sorted entries with their type", () =>
      Effect.gen(function*() {
        const { file, fs, root, tools } = yield* setup()
        yield* file("b.txt", "")
        yield* file("a.txt", "")
        yield* file("sub/c.txt", "")
        yield* fs.makeDirectory(`${root}/empty`)
        expect(yield* tools.ls({})).toEqual([
          { name: "a.txt", type: "file" },
          { name: "b.txt", type: "file" },
          { name: "empty", type: "directory" },
          { name: "sub", type: "directory" }
        ])
        expect(yield* tools.run({ id: "1", name: "ls", args: { path: "sub" } })).toEqual([
          { name: "c.txt", type: "file" }
        ])
        expect(yield* tools.run({ id: "2", name: "ls" })).toHaveLength(4)
        expect(yield* Effect.flip(tools.ls({ path: "missing" }))).toEqual(
          new Tools.FileNotFound({ tool: "ls", path: "missing" })
        )
        expect(yield* Effect.flip(tools.run({ id: "3", name: "ls", args: { path: 1 } }))).toMatchObject({
          _tag: "InvalidToolArguments",
          field: "path"
        })
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("glob", () => {
    it.scoped("finds files by pattern, relative to the root, skipping node_modules and .git", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        yield* Effect.forEach(
          ["a.ts", "b.md", "src/b.ts", "src/d.js", "src/deep/c.ts", "node_modules/x/x.ts", ".git/y.ts"],
          (name) => file(name, "")
        )
        expect(yield* tools.glob({ pattern: "**/*.ts" })).toEqual(["a.ts", "src/b.ts", "src/deep/c.ts"])
        expect(yield* tools.glob({ pattern: "src/*.{ts,js}" })).toEqual(["src/b.ts", "src/d.js"])
        expect(yield* tools.glob({ pattern: "?.md" })).toEqual(["b.md"])
        expect(yield* tools.glob({ pattern: "**/*.ts", path: "src" })).toEqual(["src/b.ts", "src/deep/c.ts"])
        expect(yield* tools.glob({ pattern: "*.ts", path: "src" })).toEqual(["src/b.ts"])
        expect(yield* tools.glob({ pattern: "*.nothing" })).toEqual([])
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("honours the ignore and result-cap options", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup({ ignore: [], maxGlobResults: 2 })
        yield* Effect.forEach(["node_modules/x.ts", "a.ts", "b.ts"], (name) => file(name, ""))
        expect(yield* tools.glob({ pattern: "**/*.ts" })).toEqual(["a.ts", "b.ts"])
        const all = yield* setup({ ignore: [] })
        yield* all.file("node_modules/x.ts", "")
        expect(yield* all.tools.glob({ pattern: "**/*.ts" })).toEqual(["node_modules/x.ts"])
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("fails a malformed pattern and a missing directory", () =>
      Effect.gen(function*() {
        const { tools } = yield* setup()
        expect(yield* Effect.flip(tools.run({ id: "1", name: "glob", args: { pattern: "{a,b" } }))).toMatchObject({
          _tag: "InvalidToolArguments",
          tool: "glob",
          field: "pattern"
        })
        expect(yield* Effect.flip(tools.glob({ pattern: "*", path: "missing" }))).toEqual(
          new Tools.FileNotFound({ tool: "glob", path: "missing" })
        )
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("grep", () => {
    it.scoped("finds matching lines with path and 1-based line number", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup()
        yield* file("a.ts", "const x = 1\n// TODO: one\nlet y\n")
        yield* file("src/b.md", "TODO two\r\nnothing\r\n")
        yield* file("node_modules/c.ts", "TODO hidden\n")
        yield* file("bin.dat", "TODO\u0000binary")
        expect(yield* tools.grep({ pattern: "TODO:? \\w+" })).toEqual([
          { path: "a.ts", line: 2, text: "// TODO: one" },
          { path: "src/b.md", line: 1, text: "TODO two" }
        ])
        expect(yield* tools.grep({ pattern: "TODO", glob: "*.md" })).toEqual([
          { path: "src/b.md", line: 1, text: "TODO two" }
        ])
        expect(yield* tools.run({ id: "1", name: "grep", args: { pattern: "let", path: "a.ts" } })).toEqual([
          { path: "a.ts", line: 3, text: "let y" }
        ])
        expect(yield* tools.grep({ pattern: "TODO", path: "src" })).toEqual([
          { path: "src/b.md", line: 1, text: "TODO two" }
        ])
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("caps the number of matches", () =>
      Effect.gen(function*() {
        const { file, tools } = yield* setup({ maxGrepMatches: 3 })
        yield* file("many.txt", Array.from({ length: 10 }, (_, index) => `hit ${index}`).join("\n"))
        const matches = yield* tools.grep({ pattern: "hit" })
        expect(matches.map((match) => match.line)).toEqual([1, 2, 3])
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("fails an invalid regex or glob with the field named, and a missing path", () =>
      Effect.gen(function*() {
        const { tools } = yield* setup()
        expect(yield* Effect.flip(tools.grep({ pattern: "(" }))).toMatchObject({ tool: "grep", field: "pattern" })
        expect(yield* Effect.flip(tools.grep({ pattern: "a", glob: "{" }))).toMatchObject({ field: "glob" })
        expect(yield* Effect.flip(tools.grep({ pattern: "a", path: "missing" }))).toEqual(
          new Tools.FileNotFound({ tool: "grep", path: "missing" })
        )
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("write", () => {
    it.scoped("writes a file, creating parent directories, and returns the byte count", () =>
      Effect.gen(function*() {
        const { text, tools } = yield* setup()
        expect(yield* tools.write({ path: "a/b/c.txt", content: "héllo" })).toBe(6)
        expect(yield* text("a/b/c.txt")).toBe("héllo")
        expect(yield* tools.run({ id: "1", name: "write", args: { path: "a/b/c.txt", content: "" } })).toBe(0)
        expect(yield* text("a/b/c.txt")).toBe("")
        expect(yield* Effect.flip(tools.run({ id: "2", name: "write", args: { path: "x" } }))).toMatchObject({
          tool: "write",
          field: "content"
        })
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("edit", () => {
    it.scoped("replaces a unique occurrence, or all of them with replaceAll", () =>
      Effect.gen(function*() {
        const { file, text, tools } = yield* setup()
        yield* file("a.txt", "foo bar foo $&")
        expect(yield* tools.edit({ path: "a.txt", oldString: "bar", newString: "$1" })).toBe(1)
        expect(yield* text("a.txt")).toBe("foo $1 foo $&")
        expect(yield* tools.edit({ path: "a.txt", oldString: "foo", newString: "baz", replaceAll: true })).toBe(2)
        expect(yield* text("a.txt")).toBe("baz $1 baz $&")
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("fails typed when oldString is missing or ambiguous, leaving the file alone", () =>
      Effect.gen(function*() {
        const { file, text, tools } = yield* setup()
        yield* file("a.txt", "foo foo")
        expect(yield* Effect.flip(tools.edit({ path: "a.txt", oldString: "nope", newString: "x" }))).toEqual(
          new Tools.OldStringNotFound({ tool: "edit", path: "a.txt" })
        )
        expect(yield* Effect.flip(tools.edit({ path: "a.txt", oldString: "foo", newString: "x" }))).toEqual(
          new Tools.OldStringAmbiguous({ tool: "edit", path: "a.txt", occurrences: 2 })
        )
        expect(yield* text("a.txt")).toBe("foo foo")
        expect(yield* Effect.flip(tools.edit({ path: "b.txt", oldString: "a", newString: "b" }))).toEqual(
          new Tools.FileNotFound({ tool: "edit", path: "b.txt" })
        )
        const empty = tools.run({ id: "1", name: "edit", args: { path: "a.txt", oldString: "", newString: "x" } })
        expect(yield* Effect.flip(empty)).toMatchObject({ tool: "edit", field: "oldString" })
      }).pipe(Effect.provide(NodeContext.layer)))
  })

  describe("paths outside the root", () => {
    it.scoped("refuses ../ and absolute paths outside, accepts absolute paths inside", () =>
      Effect.gen(function*() {
        const { file, fs, outside, path, root, tools } = yield* setup()
        yield* file("in.txt", "in")
        const secret = path.join(outside, "secret.txt")
        expect(yield* Effect.flip(tools.read({ path: "../outside/secret.txt" }))).toEqual(
          new Tools.PathOutsideRoot({ tool: "read", path: "../outside/secret.txt" })
        )
        expect(yield* Effect.flip(tools.read({ path: "sub/../../outside/secret.txt" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* Effect.flip(tools.read({ path: secret }))).toEqual(
          new Tools.PathOutsideRoot({ tool: "read", path: secret })
        )
        expect(yield* Effect.flip(tools.write({ path: "../evil.txt", content: "x" }))).toMatchObject({
          _tag: "PathOutsideRoot",
          tool: "write"
        })
        expect(yield* fs.exists(path.join(path.dirname(root), "evil.txt"))).toBe(false)
        expect(yield* Effect.flip(tools.ls({ path: ".." }))).toMatchObject({ _tag: "PathOutsideRoot" })
        expect(yield* Effect.flip(tools.glob({ pattern: "*", path: "/" }))).toMatchObject({ _tag: "PathOutsideRoot" })
        expect(yield* Effect.flip(tools.grep({ pattern: "secret", path: "../outside" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* Effect.flip(tools.edit({ path: secret, oldString: "s", newString: "x" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* tools.read({ path: path.join(root, "in.txt") })).toBe("in")
        expect(yield* fs.readFileString(secret)).toBe("secret\n")
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scoped("refuses symlinks pointing outside, dangling ones included, and never walks through them", () =>
      Effect.gen(function*() {
        const { file, fs, outside, path, root, tools } = yield* setup()
        yield* fs.symlink(outside, path.join(root, "link"))
        yield* fs.symlink(path.join(outside, "secret.txt"), path.join(root, "secret-link.txt"))
        yield* fs.symlink(path.join(outside, "planted.txt"), path.join(root, "dangling.txt"))
        yield* fs.symlink(path.join(outside, "nodir", "x"), path.join(root, "dangling-dir"))
        yield* file("real/inner.txt", "secret inside")
        yield* fs.symlink(path.join(root, "real"), path.join(root, "inner-link"))
        expect(yield* Effect.flip(tools.read({ path: "link/secret.txt" }))).toEqual(
          new Tools.PathOutsideRoot({ tool: "read", path: "link/secret.txt" })
        )
        expect(yield* Effect.flip(tools.read({ path: "secret-link.txt" }))).toMatchObject({ _tag: "PathOutsideRoot" })
        expect(yield* Effect.flip(tools.write({ path: "link/new.txt", content: "x" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* Effect.flip(tools.write({ path: "dangling.txt", content: "x" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* Effect.flip(tools.write({ path: "dangling-dir/y/z.txt", content: "x" }))).toMatchObject({
          _tag: "PathOutsideRoot"
        })
        expect(yield* Effect.flip(tools.ls({ path: "link" }))).toMatchObject({ _tag: "PathOutsideRoot" })
        expect(yield* fs.readDirectory(outside)).toEqual(["secret.txt"])
        // walks skip links out of the root but follow links inside it
        expect(yield* tools.grep({ pattern: "secret" })).toEqual([
          { path: "inner-link/inner.txt", line: 1, text: "secret inside" }
        ])
        expect(yield* tools.glob({ pattern: "**/*.txt" })).toEqual(["inner-link/inner.txt"])
        expect(yield* tools.read({ path: "inner-link/inner.txt" })).toBe("secret inside")
      }).pipe(Effect.provide(NodeContext.layer)))
  })
})
