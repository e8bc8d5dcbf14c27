import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck } from "effect"
import * as LaneQueue from "../src/LaneQueue.js"
import * as LanesConfig from "../src/LanesConfig.js"
import * as Strategy from "../src/Strategy.js"
import * as Tools from "../src/tools/Tools.js"

describe("Tools.isReadOnlyCommand (the bash classifier)", () => {
  const readOnly = [
    "ls",
    "ls -la src",
    "cat README.md",
    "head -n 20 a.txt",
    "wc -l src/*.ts",
    "grep -rn 'foo|bar' src",
    "rg --type ts Effect",
    "find . -name '*.ts'",
    "git status",
    "git diff HEAD~1 -- src",
    "git log --oneline -5",
    "git show HEAD:README.md",
    "cat a.txt | grep x | wc -l",
    "cd src && ls",
    "ls missing 2>/dev/null || echo none",
    "grep x a.txt 2>&1 | head",
    "pwd",
    "ls\n"
  ]
  const notReadOnly = [
    "cat a > b",
    "echo x >> log",
    "ls; rm x",
    "ls && rm -rf /",
    "find . -delete",
    "find . -name x -exec rm {} \\;",
    "git push",
    "git commit -m x",
    "git diff --output=patch.txt",
    "rm x",
    "npm install",
    "cat $(echo secret)",
    "cat `whoami`",
    "ls &",
    "cat <(ls)",
    "tee out.txt",
    "cat a | tee b",
    "FOO=1 ls",
    "env rm x",
    "/bin/rm x",
    "rg --pre ./evil x",
    "echo 'unbalanced",
    "ls\nrm x",
    "ls\rrm x",
    "date -s 2020-01-01",
    "echo $'\\'' ; touch PWNED #'",
    "find . $'-delete'",
    "find . $\"-delete\"",
    "find . -fprint$'' out",
    "git log $'--output=out'",
    "git -C log rm --cached ../f.txt",
    "git -C status reset --hard",
    "git -c core.pager=sh log",
    "git log --outp=x",
    "git diff --ext-diff",
    "tail -f x",
    "tail -nF 5 x",
    "tail --foll x",
    "rg -z secret",
    "rg --pre-glob '*' --pre ./x y",
    "cat >| out",
    "cat a 1>x",
    "cat <<< hi",
    "cat <<EOF",
    "cat <> f",
    "ls \\\nrm",
    "cat $HOME/x",
    "echo \"$HOME\"",
    "echo \"`id`\"",
    "(ls)",
    "{ ls; }",
    "ls |& tee x",
    "",
    "   "
  ]
  for (const command of readOnly) {
    it(`read-only: ${JSON.stringify(command)}`, () => expect(Tools.isReadOnlyCommand(command)).toBe(true))
  }
  for (const command of notReadOnly) {
    it(`not read-only: ${JSON.stringify(command)}`, () => expect(Tools.isReadOnlyCommand(command)).toBe(false))
  }

  // the readers Codex and other agents use most, each with the tricky cases that write, run or never end
  const table: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
    ["sed", [
      "sed -n '1,200p' src/a.ts",
      "sed -n '1,$p' a",
      "sed -n -e '/^import/p' -e '$=' a.ts",
      "sed -n '10,20{p;=}' a",
      "sed 's/a/b/g' a",
      "sed -E 's|x|y|2p' a",
      "sed -n '/start/,/end/p' a",
      "sed -n '$!N;p' a",
      "sed --sandbox 'w out' a",
      "nl -ba a.ts | sed -n '40,80p'",
      "sed -n 1,5p a"
    ], [
      "sed -i 's/a/b/' f",
      "sed -ni 'p' f",
      "sed -i.bak 1d f",
      "sed --in-place 1d f",
      "sed --in 1d f",
      "sed -n 'w out' a",
      "sed -n '1w out' a",
      "sed 's/a/b/w out' a",
      "sed 's/a/b/e' a",
      "sed 'e rm -rf /' a",
      "sed -n '1p;W out' a",
      "sed -f script.sed a",
      "sed --file=script.sed a",
      "sed -n -e p -e 'w x' a",
      "sed -e",
      "sed",
      "sed -n 's/a/b' a"
    ]],
    ["nl", ["nl -ba src/a.ts", "nl a | head"], ["nl a > b"]],
    ["sort", ["sort a", "sort -u -k2,2 a", "sort -t: -n a | uniq -c"], [
      "sort -o out.txt in.txt",
      "sort -Ro out f",
      "sort --outp=out f",
      "sort --output out f",
      "sort --compress-program=sh a"
    ]],
    ["uniq", ["uniq a", "uniq -c", "uniq -f 2 a", "sort a | uniq -d"], [
      "uniq in.txt out.txt",
      "uniq - out",
      "uniq -c a b"
    ]],
    ["echo / printf", ["echo hello", "printf '%s\\n' a b", "echo 'a > b'", "echo \"a | b\""], [
      "echo x > f",
      "printf x >> f",
      "echo $(rm x)",
      "echo \"${HOME}\""
    ]],
    ["pwd / which / file / stat / du", ["pwd", "which node", "file a.png", "stat -c %s a", "du -sh src"], [
      "file -C -m x",
      "file --compile x",
      "which x > y"
    ]],
    ["tree", ["tree -L 2 src", "tree -a"], ["tree -o out.txt", "tree -aR", "tree --output=x"]],
    ["jq", ["jq '.scripts' package.json", "jq -r '.[] | .name' a.json", "cat a.json | jq '$__loc__'"], [
      "jq . a > b",
      "jq \"$X\" a"
    ]],
    ["git grep / ls-files / rev-parse", ["git grep -n Effect -- src", "git ls-files src", "git rev-parse HEAD"], [
      "git grep -Orm pattern",
      "git grep --open-files-in-pager=vi x",
      "git rev-parse --git-dir > x",
      "git -C x grep y"
    ]],
    ["docker compose ps / logs", ["docker compose ps", "docker compose logs --tail 50 web", "docker-compose ps -a"], [
      "docker compose logs -f",
      "docker compose logs --follow web",
      "docker compose up",
      "docker compose rm -f",
      "docker run x",
      "docker ps"
    ]],
    ["cd DIR && ...", ["cd /repo && sed -n '1,80p' a", "cd src && rg -n x && cat a"], [
      "cd src && rm a",
      "cd $(mktemp -d) && ls"
    ]],
    ["PowerShell", [
      "Get-Content -Path src\\app.ts -TotalCount 200",
      "Get-Content src\\a.ts | Select-Object -Skip 40 -First 40",
      "get-childitem -Recurse -Filter *.ts | Select-Object -ExpandProperty FullName",
      "Select-String -Path src\\*.ts -Pattern 'Effect.gen'",
      "Test-Path package.json",
      "Get-Item README.md | Format-List",
      "Set-Location C:\\repo; Get-ChildItem -Force",
      "Get-Content a.txt 2>$null",
      "Get-ChildItem -Name; rg -n \"lanes\" src",
      "Get-Content 'it''s.txt'"
    ], [
      "Get-Content a.txt -Wait",
      "Get-Content a.txt -wa",
      "Get-Content a | Set-Content b",
      "Get-Content a > b",
      "Get-ChildItem | Remove-Item",
      "Get-Content $env:USERPROFILE\\x",
      "Get-Content \"$HOME\\x\"",
      "Get-Content (Remove-Item x)",
      "Get-ChildItem | ForEach-Object { Remove-Item $_ }",
      "& Get-Content a",
      "Get-Content a; Remove-Item b",
      "Get-Content `",
      "Get-Item @(1)",
      "Invoke-Expression 'rm x'",
      "Get-Content a | Out-File b",
      "Get-ChildItem; git push",
      "Get-Content 'unbalanced"
    ]]
  ]
  for (const [reader, yes, no] of table) {
    describe(reader, () => {
      it("read-only", () => {
        for (const command of yes) expect([command, Tools.isReadOnlyCommand(command)]).toEqual([command, true])
      })
      it("not read-only", () => {
        for (const command of no) expect([command, Tools.isReadOnlyCommand(command)]).toEqual([command, false])
      })
    })
  }

  const readers = [...readOnly.filter((c) => c.trim() !== ""), ...table.flatMap(([, yes]) => yes)]
  it.prop(
    "a read-only line followed by a writing command, or redirected into a file, is not read-only",
    [
      FastCheck.constantFrom(...readers),
      FastCheck.constantFrom("; rm -rf x", " && touch x", " | tee x", " > out", " >> out", "\nrm x", "; Remove-Item x")
    ],
    ([line, tail]) => !Tools.isReadOnlyCommand(`${line.replace(/\n$/, "")}${tail}`)
  )
  it.prop(
    "is total on any text",
    [FastCheck.string({ unit: "binary", maxLength: 200 })],
    ([text]) => typeof Tools.isReadOnlyCommand(text) === "boolean"
  )

  it("unknown programs stay not read-only", () => {
    for (const command of ["awk '{print}' a", "python -c 'print(1)'", "make", "xargs cat", "less a", "npx tsc"]) {
      expect([command, Tools.isReadOnlyCommand(command)]).toEqual([command, false])
    }
  })
  it("is total on anything", () => {
    for (const junk of [undefined, null, 42, {}, ["ls"], "\u0000", "'".repeat(10_000), "a|".repeat(5000)]) {
      expect(typeof Tools.isReadOnlyCommand(junk)).toBe("boolean")
    }
  })

  it("routes a read-only bash call to the query lane and lets it join a wave", () => {
    const options = { tools: Tools.specs }
    const ls = { id: "1", name: "bash", args: { command: "ls src" } }
    const rm = { id: "2", name: "bash", args: { command: "rm -rf src" } }
    expect(Strategy.laneOf(ls, options)).toBe("query")
    expect(Strategy.laneOf(rm, options)).toBe("execute")
    const turn = [{ id: "0", name: "read", args: { path: "a" } }, ls, rm]
    expect(Strategy.stages(turn, 8, options).map((s) => s.indices)).toEqual([[0, 1], [2]])
  })
})

/** Tools on a fresh temporary root, a session queue, and the tools' planning options. */
const session = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const temp = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-plan-" })
  const tools = yield* Tools.make({ root: temp })
  const queue = yield* LaneQueue.make("plan").pipe(Effect.provide(LanesConfig.layerWith({})))
  const turnOptions = yield* Tools.turnOptions(tools.root)
  return { fs, path, queue, tools, turnOptions }
})

describe("Strategy.runTurn over the built-in tools", () => {
  it.scoped("every spelling of one file edited in one turn keeps every edit (parallelWrites on)", () =>
    Effect.gen(function*() {
      const { fs, path, queue, tools, turnOptions } = yield* session
      const root = tools.root
      yield* fs.makeDirectory(path.join(root, "sub"))
      yield* fs.symlink(path.join(root, "notes.txt"), path.join(root, "link.txt"))
      yield* fs.symlink(root, path.join(root, "alias"))
      yield* fs.writeFileString(path.join(root, "notes.txt"), "0\n")
      const spellings = [
        "notes.txt",
        "./notes.txt",
        "sub/../notes.txt",
        path.join(root, "notes.txt"),
        "link.txt",
        "alias/notes.txt"
      ]
      const calls: Array<Strategy.ToolCall> = spellings.map((spelling, i) => ({
        id: `e${i}`,
        name: "edit",
        args: { path: spelling, oldString: `${i}\n`, newString: `${i + 1}\n` }
      }))
      const options = turnOptions
      const planned = Strategy.stages(calls, 8, { ...options, parallelWrites: true })
      // pure canonicalisation alone already separates the first four spellings
      const stageOf = (i: number) => planned.findIndex((stage) => stage.indices.includes(i))
      expect(new Set([0, 1, 2, 3].map(stageOf)).size).toBe(4)
      const exits = yield* Strategy.runTurn(queue, calls, tools.run, { ...options, parallelWrites: true })
      expect(exits.filter(Exit.isFailure)).toEqual([])
      expect(yield* fs.readFileString(path.join(root, "notes.txt"))).toBe(`${spellings.length}\n`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("reads of distinct files run as one parallel wave through the query lane", () =>
    Effect.gen(function*() {
      const { fs, path, queue, tools, turnOptions } = yield* session
      for (const name of ["a", "b", "c"]) yield* fs.writeFileString(path.join(tools.root, name), name)
      const calls = ["a", "b", "c"].map((name) => ({ id: name, name: "read", args: { path: name } }))
      const options = turnOptions
      const exits = yield* Strategy.runTurn(queue, calls, tools.run, options)
      expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value : undefined)).toEqual(["a", "b", "c"])
      expect((yield* queue.latency.snapshot).has("read")).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a link made earlier in the turn is seen: paths are resolved right before each wave runs", () =>
    Effect.gen(function*() {
      const { fs, path, queue, tools, turnOptions } = yield* session
      const root = tools.root
      yield* fs.writeFileString(path.join(root, "notes.txt"), "a b")
      yield* fs.writeFileString(path.join(root, "other.txt"), "c")
      const calls: Array<Strategy.ToolCall> = [
        { id: "link", name: "link", args: { target: "notes.txt", path: "alias.txt" } },
        { id: "e1", name: "edit", args: { path: "notes.txt", oldString: "a", newString: "A" } },
        { id: "e2", name: "edit", args: { path: "alias.txt", oldString: "b", newString: "B" } },
        { id: "e3", name: "edit", args: { path: "other.txt", oldString: "c", newString: "C" } }
      ]
      let running = 0
      const overlapped: Array<string> = []
      const execute = (call: Strategy.ToolCall): Effect.Effect<unknown, unknown> =>
        call.name === "link"
          ? fs.symlink(path.join(root, "notes.txt"), path.join(root, "alias.txt"))
          : Effect.acquireUseRelease(
            Effect.sync(() => {
              if (running++ > 0) overlapped.push(call.id)
            }),
            () => Effect.zipRight(Effect.yieldNow(), tools.run(call)),
            () => Effect.sync(() => running--)
          )
      const options = { ...turnOptions, parallelWrites: true }
      // before the turn, alias.txt does not exist: the pure plan puts all three edits in one wave
      expect(Strategy.stages(calls, 8, options).map((stage) => stage.indices)).toEqual([[0], [1, 2, 3]])
      const exits = yield* Strategy.runTurn(queue, calls, execute, options)
      expect(exits.filter(Exit.isFailure)).toEqual([])
      expect(yield* fs.readFileString(path.join(root, "notes.txt"))).toBe("A B")
      // e3 (another file) may overlap e1; e2 (the same file through the new link) must not
      expect(overlapped).not.toContain("e2")
    }).pipe(Effect.provide(NodeContext.layer)))
})
