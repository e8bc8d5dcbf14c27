import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck, Option } from "effect"
import { Strategy } from "effect-lanes"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import * as Oracle from "../../src/replay/oracle.js"
import * as Patch from "../../src/replay/patch.js"
import * as Prepare from "../../src/replay/prepare.js"
import * as Rebase from "../../src/replay/rebase.js"
import * as ToolMapping from "../../src/replay/toolMapping.js"

describe("patches", () => {
  it("apply_patch: added files become writes, hunks become edits with their context", () => {
    const patch = [
      "*** Begin Patch",
      "*** Add File: docs/n.md",
      "+# N",
      "*** Update File: src/a.ts",
      "@@ const x",
      " const x = 1",
      "-const y = 2",
      "+const y = 3",
      "*** End Patch"
    ].join("\n")
    expect(Patch.applyPatch(patch)).toEqual(Either.right([
      { _tag: "write", path: "docs/n.md", content: "# N\n" },
      { _tag: "edit", path: "src/a.ts", oldString: "const x = 1\nconst y = 2", newString: "const x = 1\nconst y = 3" }
    ]))
    expect(Patch.applyPatch("*** Begin Patch\n*** Delete File: a\n*** End Patch")).toEqual(
      Either.left("apply_patch deletes a file (no built-in delete)")
    )
  })

  it("SEARCH/REPLACE: Cline's and Roo's markers, :start_line: dropped", () => {
    const roo = "<<<<<<< SEARCH\n:start_line:3\n-------\na\n=======\nb\n>>>>>>> REPLACE"
    expect(Patch.searchReplace(roo)).toEqual(Either.right([["a", "b"]]))
    expect(Patch.searchReplace("------- SEARCH\nx\n=======\n")).toEqual(Either.left("SEARCH/REPLACE block not closed"))
  })
})

describe("tool mapping per family", () => {
  it("Codex shell arrays, exec_command and apply_patch; Gemini's 0-based offset; SWE-agent's find_file", () => {
    const tool = (name: string, input: unknown) =>
      Either.map(ToolMapping.map(name, input), (mapped) => mapped.steps.map((step) => [step.tool, step.args]))
    expect(tool("shell", { command: ["bash", "-lc", "ls src"], workdir: "/r/app" })).toEqual(
      Either.right([["bash", { command: "ls src", workdir: "/r/app" }]])
    )
    expect(tool("shell", { command: ["rg", "-n", "a b"] })).toEqual(
      Either.right([["bash", { command: "rg -n 'a b'" }]])
    )
    expect(tool("exec_command", { cmd: "cat a" })).toEqual(Either.right([["bash", { command: "cat a" }]]))
    expect(tool("apply_patch", "*** Begin Patch\n*** Add File: n.md\n+x\n*** End Patch")).toEqual(
      Either.right([["write", { path: "n.md", content: "x\n" }]])
    )
    expect(tool("read_file", { absolute_path: "/p/a.ts", offset: 10, limit: 5 })).toEqual(
      Either.right([["read", { path: "/p/a.ts", offset: 10, limit: 5 }]])
    )
    expect(tool("Read", { file_path: "/p/a.ts", offset: 10, limit: 5 })).toEqual(
      Either.right([["read", { path: "/p/a.ts", offset: 9, limit: 5 }]])
    )
    expect(tool("find_file", { file_name: "a.py" })).toEqual(Either.right([["glob", { pattern: "**/a.py" }]]))
    expect(ToolMapping.map("WebFetch", {})).toEqual(Either.left("tool \"WebFetch\" has no built-in equivalent"))
  })
})

describe("rebasing", () => {
  it.effect("a stated root wins, POSIX and Windows; a folder named like the project is not mistaken", () =>
    Effect.gen(function*() {
      const make = (dir: string, recorded: ReadonlyArray<string>, stated: Option.Option<string>) =>
        Rebase.make({ dir: Option.some(dir), recorded, folders: [], stated, given: Option.none() })
      const posix = yield* make("/tmp/replay", ["/home/me/shop/shop/a.ts"], Option.some("/home/me/shop"))
      expect(posix.rebase("/home/me/shop/shop/a.ts")).toEqual(Option.some("shop/a.ts"))
      expect(posix.rebase("/etc/passwd")).toEqual(Option.none())
      expect(posix.rebase("../x")).toEqual(Option.none())
      const windows = yield* make("/tmp/replay", [], Option.some("C:\\Users\\me\\shop"))
      expect(windows.rebase("c:\\Users\\me\\shop\\src\\a.ts")).toEqual(Option.some("src/a.ts"))
      expect(windows.rebase("src\\b.ts")).toEqual(Option.some("src/b.ts"))
    }).pipe(Effect.provide(NodeContext.layer)))

  it("the recorded root inside commands becomes .", () => {
    expect(Rebase.command("cd /home/me/shop && cat /home/me/shop/a.ts /home/me/shopping", Option.some("/home/me/shop")))
      .toBe("cd . && cat ./a.ts /home/me/shopping")
  })
})

describe("skips", () => {
  it("are counted once per reason, in the order they first occur", () => {
    const skipped = [
      { where: "turn 1", reason: "b" },
      { where: "turn 2", reason: "a" },
      { where: "turn 3", reason: "b" }
    ]
    expect(Prepare.countSkips(skipped)).toEqual([
      { reason: "b", count: 2, first: "turn 1" },
      { reason: "a", count: 1, first: "turn 2" }
    ])
  })
})

describe("oracle", () => {
  const reads = (n: number): Array<Strategy.ToolCall> =>
    Array.from({ length: n }, (_, i) => ({ id: `${i}`, name: "read" }))

  it("five slow reads: the seed's rules (minToolCount 6) run them in order, the oracle and the default in parallel", () => {
    const analysis = Oracle.analyse(reads(5), [10, 10, 10, 10, 10], 8, Strategy.seedRules)
    expect(analysis).toEqual({
      sequentialMillis: 50,
      strategyMillis: 50,
      oracleMillis: 10,
      oraclePlan: "Parallel 5",
      regretMillis: 40
    })
    const byDefault = Oracle.analyse(reads(5), [10, 10, 10, 10, 10], 8, { estimates: [10, 10, 10, 10, 10] })
    expect(byDefault.strategyMillis).toBe(10)
    expect(byDefault.regretMillis).toBe(0)
  })

  it.prop("the oracle is never slower than the Strategy, nor than one call, nor faster than the longest", {
    durations: FastCheck.array(FastCheck.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }),
    concurrency: FastCheck.integer({ min: 1, max: 16 })
  }, ({ concurrency, durations }) => {
    const analysis = Oracle.analyse(reads(durations.length), durations, concurrency, {})
    expect(analysis.oracleMillis).toBeLessThanOrEqual(analysis.strategyMillis)
    expect(analysis.oracleMillis).toBeLessThanOrEqual(analysis.sequentialMillis)
    expect(analysis.oracleMillis).toBeGreaterThanOrEqual(Math.max(...durations))
    expect(analysis.regretMillis).toBe(analysis.strategyMillis - analysis.oracleMillis)
  })
})

describe("roots", () => {
  const make = (options: Partial<Parameters<typeof Rebase.make>[0]>) =>
    Rebase.make({
      dir: Option.none(),
      recorded: [],
      folders: [],
      stated: Option.none(),
      given: Option.none(),
      ...options
    })

  it.effect("--root wins over the stated root; without either, the folder common to the absolute paths", () =>
    Effect.gen(function*() {
      const given = yield* make({ given: Option.some("/srv/app"), stated: Option.some("/home/me/app") })
      expect([given.source, given.rebase("/srv/app/a.ts")]).toEqual(["given", Option.some("a.ts")])
      const common = yield* make({ folders: ["/home/me/app/src", "/home/me/app/test/unit", "/home/me/app"] })
      expect([common.source, common.prefix]).toEqual(["common", Option.some("/home/me/app")])
      // one stray path elsewhere does not make the file-system root the project: four fifths of them agree
      const stray = yield* make({
        folders: ["/home/me/app/src", "/home/me/app/a", "/home/me/app/b", "/home/me/app/c", "/tmp"]
      })
      expect(stray.prefix).toEqual(Option.some("/home/me/app"))
      const none = yield* make({ folders: ["/a", "/b"] })
      expect(none.prefix).toEqual(Option.none())
      const windows = yield* make({ folders: ["C:\\Users\\me\\app\\src", "c:/Users/me/app/test"] })
      expect(windows.prefix).toEqual(Option.some("c:/Users/me/app"))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("names are compared in NFC: a root written decomposed (NFD) rebases paths written composed", () =>
    Effect.gen(function*() {
      const nfd = "/Users/zoë/café".normalize("NFD")
      const rebased = yield* make({ stated: Option.some(nfd) })
      expect(rebased.rebase("/Users/zoë/café/src/a.ts".normalize("NFC"))).toEqual(Option.some("src/a.ts"))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a folder stored NFD on disk is found for a path written NFC", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-nfd-"))
      fs.mkdirSync(nodePath.join(dir, "café".normalize("NFD")))
      fs.writeFileSync(nodePath.join(dir, "café".normalize("NFD"), "a.txt"), "x")
      const found = yield* Rebase.onDisk(dir, "café/a.txt".normalize("NFC"))
      expect(Option.map(found, (path) => path.normalize("NFC"))).toEqual(Option.some("café/a.txt".normalize("NFC")))
      expect(Option.map(found, (path) => path === "café/a.txt".normalize("NFD"))).toEqual(Option.some(true))
      expect(yield* Rebase.onDisk(dir, "missing/a.txt")).toEqual(Option.none())
    }).pipe(Effect.provide(NodeContext.layer)))

  it("absolute glob patterns, Windows and POSIX, split into the folder and the pattern", () => {
    expect(Rebase.splitGlob("C:\\Users\\me\\app\\src\\**\\*.ts")).toEqual(
      Option.some({ folder: "C:/Users/me/app/src", pattern: "**/*.ts" })
    )
    expect(Rebase.splitGlob("/home/me/app/**/*.{ts,tsx}")).toEqual(
      Option.some({ folder: "/home/me/app", pattern: "**/*.{ts,tsx}" })
    )
    expect(Rebase.splitGlob("/home/me/app/README.md")).toEqual(
      Option.some({ folder: "/home/me/app", pattern: "README.md" })
    )
    expect(Rebase.splitGlob("src/**/*.ts")).toEqual(Option.none())
  })
})
