/**
 * The replay end to end, in-process on small directories: the shipped example traces, `--run-bash` (a
 * background command does not hold the turn, a non-zero exit fails the call), the scratch copy leaving out
 * symlinks that point outside the directory, and the exit codes. No timing is asserted.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as App from "../../src/app.js"
import * as Table from "../../src/render/table.js"
import * as Replay from "../../src/replay/replay.js"
import * as Report from "../../src/replay/report.js"
import * as Trace from "../../src/replay/trace.js"
import { env, geminiSession, options } from "./fixtures.js"

const repo = fileURLToPath(new URL("../../../..", import.meta.url)).replace(/\/$/, "")

/** The one session's result of a trace file that holds one. */
const single = <A>(results: ReadonlyArray<A>): A => {
  const [first] = results
  if (first === undefined || results.length !== 1) throw new Error(`expected one session, got ${results.length}`)
  return first
}

const temp = () => fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-test-"))

const claudeLine = (id: string, name: string, input: unknown, message: string) =>
  JSON.stringify({
    type: "assistant",
    sessionId: "s",
    cwd: "/home/rec/proj",
    message: { id: message, role: "assistant", content: [{ type: "tool_use", id, name, input }] }
  })

describe("replay", () => {
  it.live("the Claude Code example: subagent turns read, every multi-call turn measured in parallel", () =>
    Effect.gen(function*() {
      const result = single(
        yield* Replay.run(
          options(`${repo}/examples/traces/claude-code/session-example.jsonl`, repo, { useRecordedLatency: true })
        )
      )
      expect(result.format).toBe("claude-code")
      expect(result.subagents).toEqual(["agent-a1b2"])
      expect(result.recordedRoot).toBe("/home/dev/effect-lanes")
      expect(result.recordedRootSource).toBe("stated")
      expect(result.largestTurn).toBe(6)
      expect(result.parallelTurns).toBe(4)
      expect(result.turns.every((row) => row.parallel && row.speedup !== null)).toBe(true)
      expect(result.recorded?.regretMillis).toBe(0)
      expect(result.skipped.map((skip) => [skip.reason, skip.count])).toEqual([
        ["tool \"Task\" has no built-in equivalent", 1]
      ])
      expect(result.recorded?.turns).toBe(result.turns.length)
      Table.render(Report.table(result))
    }).pipe(Effect.provide(env)))

  it.live("the Codex and Gemini examples: apply_patch replayed, no parallel turn said plainly", () =>
    Effect.gen(function*() {
      // planned with the seed's minimum of 6 calls, no turn of the Codex example runs in parallel
      const codex = single(
        yield* Replay.run(
          options(`${repo}/examples/traces/codex-rollout.jsonl`, repo, {
            useRecordedLatency: true,
            parallelMinTools: 6
          })
        )
      )
      expect(codex.format).toBe("codex")
      expect(codex.failedCalls).toBe(0)
      expect(codex.speedup).toBeNull()
      expect(Report.table(codex).notes?.join("\n")).toContain("No turn of this trace runs in parallel")
      const gemini = single(
        yield* Replay.run(
          options(`${repo}/examples/traces/gemini-stream.jsonl`, repo, {
            useRecordedLatency: true,
            parallelMinTools: 6
          })
        )
      )
      expect(gemini.format).toBe("gemini")
      // five reads below the minimum of 6 run in order, where the recorded latencies would overlap
      expect(gemini.recorded?.regretMillis).toBeGreaterThan(0)
      const geminiDefault = single(
        yield* Replay.run(
          options(`${repo}/examples/traces/gemini-stream.jsonl`, repo, { useRecordedLatency: true })
        )
      )
      expect(geminiDefault.parallelTurns).toBe(1)
      expect(geminiDefault.recorded?.regretMillis).toBe(0)
    }).pipe(Effect.provide(env)))

  it.live(
    "--run-bash: a background command does not hold the turn; a non-zero exit is a failed call",
    () =>
      Effect.gen(function*() {
        const dir = temp()
        fs.writeFileSync(nodePath.join(dir, "a.txt"), "hello\n")
        const trace = nodePath.join(temp(), "s.jsonl")
        fs.writeFileSync(
          trace,
          [
            claudeLine("b1", "Bash", { command: "sleep 30", run_in_background: true }, "m1"),
            claudeLine("b2", "Bash", { command: "cat /home/rec/proj/a.txt" }, "m2"),
            claudeLine("b3", "Bash", { command: "exit 3" }, "m3")
          ].join("\n")
        )
        const result = single(yield* Replay.run(options(trace, dir, { runBash: true })))
        expect(result.turns.map((row) => row.calls)).toEqual([1, 1, 1])
        expect(result.failedCalls).toBe(1)
        expect(result.firstFailure).toContain("command exited with 3")
        // the background sleep did not hold its turn for 30 s (a generous bound, not a timing claim)
        expect(result.turns[0]?.sequentialMillis.max ?? Infinity).toBeLessThan(10_000)
      }).pipe(Effect.provide(env)),
    30_000
  )

  it.live("the scratch copy leaves out links pointing outside the directory", () =>
    Effect.gen(function*() {
      const outside = temp()
      fs.writeFileSync(nodePath.join(outside, "secret.txt"), "secret\n")
      const dir = temp()
      fs.writeFileSync(nodePath.join(dir, "a.txt"), "a\n")
      fs.symlinkSync(nodePath.join(outside, "secret.txt"), nodePath.join(dir, "link.txt"))
      fs.symlinkSync(outside, nodePath.join(dir, "linkdir"))
      const trace = nodePath.join(temp(), "s.jsonl")
      fs.writeFileSync(
        trace,
        [
          claudeLine("w", "Write", { file_path: "b.txt", content: "b" }, "m1"),
          claudeLine("r1", "Read", { file_path: "link.txt" }, "m2"),
          claudeLine("r2", "Read", { file_path: "linkdir/secret.txt" }, "m3")
        ].join("\n")
      )
      const result = single(yield* Replay.run(options(trace, dir)))
      expect(result.scratchCopy).toBe(true)
      expect(result.linksLeftOut).toBe(2)
      expect(result.failedCalls).toBe(2)
      expect(fs.readFileSync(nodePath.join(outside, "secret.txt"), "utf8")).toBe("secret\n")
      expect(fs.existsSync(nodePath.join(dir, "b.txt"))).toBe(false)
    }).pipe(Effect.provide(env)))
})

describe("replay over a directory: roots and honest output", () => {
  it.live("a Gemini session that creates its files replays onto the folder its paths share; Windows globs rebase", () =>
    Effect.gen(function*() {
      const dir = temp()
      fs.mkdirSync(nodePath.join(dir, "src"))
      fs.writeFileSync(nodePath.join(dir, "src", "a.ts"), "a\n")
      const gemini = nodePath.join(temp(), "session.json")
      fs.writeFileSync(
        gemini,
        JSON.stringify({
          sessionId: "s",
          messages: [{
            id: "g",
            type: "gemini",
            timestamp: "2026-01-01T00:00:00.000Z",
            toolCalls: [
              { id: "w", name: "write_file", args: { file_path: "/home/me/app/new/b.ts", content: "b" } },
              { id: "r", name: "read_file", args: { absolute_path: "/home/me/app/new/b.ts" } }
            ]
          }]
        })
      )
      const created = single(yield* Replay.run(options(gemini, dir)))
      expect([created.recordedRoot, created.recordedRootSource]).toEqual(["/home/me/app/new", "common"])
      expect(created.replayedCalls).toBe(2)
      expect(created.failedCalls).toBe(0)
      // --root states it when the paths do not share the project's folder
      const rooted = single(yield* Replay.run(options(gemini, dir, { root: "/home/me/app" })))
      expect([rooted.recordedRoot, rooted.recordedRootSource]).toEqual(["/home/me/app", "given"])
      expect(rooted.failedCalls).toBe(0)
      const windows = nodePath.join(temp(), "win.jsonl")
      fs.writeFileSync(
        windows,
        [
          JSON.stringify({
            type: "assistant",
            sessionId: "s",
            cwd: "C:\\Users\\me\\app",
            message: {
              id: "m",
              role: "assistant",
              content: [
                { type: "tool_use", id: "g1", name: "Glob", input: { pattern: "C:\\Users\\me\\app\\src\\**\\*.ts" } },
                { type: "tool_use", id: "g2", name: "Glob", input: { pattern: "C:/Users/me/app/**/*.ts" } }
              ]
            }
          })
        ].join("\n")
      )
      const globbed = single(yield* Replay.run(options(windows, dir)))
      expect(globbed.skipped).toEqual([])
      expect(globbed.replayedCalls).toBe(2)
      expect(globbed.failedCalls).toBe(0)
    }).pipe(Effect.provide(env)))

  it.live("more than a fifth of the calls failing warns that --dir may not be the project; sub-ms ratios are noise", () =>
    Effect.gen(function*() {
      const dir = temp()
      fs.mkdirSync(nodePath.join(dir, "app"))
      for (const name of ["a", "b", "c"]) fs.writeFileSync(nodePath.join(dir, "app", `${name}.ts`), "x\n")
      const trace = nodePath.join(temp(), "s.jsonl")
      const reads = ["a", "b", "c"].map((name, k) =>
        claudeLine(`r${k}`, "Read", { file_path: `/home/rec/proj/app/${name}.ts` }, "m1")
      )
      fs.writeFileSync(trace, reads.join("\n"))
      // one level off: the recorded project holds app/, replayed over app/ itself
      const off = single(yield* Replay.run(options(trace, nodePath.join(dir, "app"))))
      expect(off.failedCalls).toBe(3)
      expect(off.warnings[0]).toContain("is --dir the recorded project?")
      expect(Report.table(off).notes?.[0]).toContain("WARNING")
      const right = single(yield* Replay.run(options(trace, dir, { runs: 2 })))
      expect(right.failedCalls).toBe(0)
      expect(right.warnings).toEqual([])
      // three local reads take well under a millisecond: the ratio is not printed as a speed-up
      const row = right.turns[0]
      if (row !== undefined && row.sequentialMillis.median < Replay.noiseFloorMillis) {
        expect(row.noise).toBe(true)
        expect(Report.table(right).rows[0]?.[6]).toBe("noise")
      }
      expect(right.callsPerResponse).toEqual({ 3: 1 })
      expect(right.changeableShare).toBe(1)
    }).pipe(Effect.provide(env)))
})

describe("replay command", () => {
  const run = (...args: Array<string>) =>
    Effect.exit(App.cli(["node", "effect-lanes", "replay", ...args])).pipe(Effect.provide(env))

  it.effect("a forced format that finds nothing says what the file looks like", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Trace.read(`${repo}/examples/traces/claude-code/session-example.jsonl`, "codex")
      )
      expect(error._tag).toBe("UnknownTraceFormat")
      expect(error.message).toContain("--format claude-code")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a subagent file that is a FIFO is skipped, never read; a trace over the size cap is refused", () =>
    Effect.gen(function*() {
      const dir = temp()
      const session = nodePath.join(dir, "session.jsonl")
      fs.copyFileSync(`${repo}/examples/traces/claude-code/session-example.jsonl`, session)
      fs.mkdirSync(nodePath.join(dir, "session", "subagents"), { recursive: true })
      execFileSync("mkfifo", [nodePath.join(dir, "session", "subagents", "agent-fifo.jsonl")])
      const [trace] = yield* Trace.read(session)
      expect(trace?.skipped).toContainEqual({ where: "agent-fifo", reason: "subagent file unreadable" })
      const fifo = yield* Effect.flip(Trace.read(nodePath.join(dir, "session", "subagents", "agent-fifo.jsonl")))
      expect(fifo.message).toContain("not a regular file")
      const big = nodePath.join(dir, "big.jsonl")
      fs.writeFileSync(big, "")
      fs.truncateSync(big, Trace.maxTraceBytes + 1) // sparse: no disk used
      const error = yield* Effect.flip(Trace.read(big))
      expect(error.message).toContain(`more than the ${Trace.maxTraceBytes} bytes`)
      // a file whose stated size lies (Linux's /proc/self/pagemap says 0 bytes and yields gigabytes): the
      // bytes are counted as they are read
      if (fs.existsSync("/proc/self/pagemap")) {
        const endless = yield* Effect.flip(Trace.read("/proc/self/pagemap", "auto", 4095))
        expect(endless.message).toContain("more than the 4095 bytes") // reads of 8-byte multiples only
      }
      const latin1 = nodePath.join(dir, "latin1.jsonl")
      fs.writeFileSync(latin1, Buffer.from([0x7b, 0xe9, 0x7d]))
      expect((yield* Effect.flip(Trace.read(latin1))).message).toContain("not valid UTF-8")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("an unknown shape names the supported formats; a trace with nothing replayable fails", () =>
    Effect.gen(function*() {
      const file = nodePath.join(temp(), "x.json")
      fs.writeFileSync(file, JSON.stringify({ hello: "world" }))
      const unknown = yield* run(file)
      expect(Exit.isFailure(unknown)).toBe(true)
      if (Exit.isFailure(unknown)) expect(String(unknown.cause)).toContain("supported: claude-code, codex")
      const only = nodePath.join(temp(), "web.jsonl")
      fs.writeFileSync(only, claudeLine("w", "WebFetch", { url: "https://example.com" }, "m1"))
      const nothing = yield* run(only, "--dir", temp())
      expect(Exit.isFailure(nothing)).toBe(true)
      if (Exit.isFailure(nothing)) expect(String(nothing.cause)).toContain("NothingToReplay")
    }))

  it.live("--json carries turns[].calls, turns[].plan, failedCalls and skipped; --parallel-min-tools plans", () =>
    Effect.gen(function*() {
      const out = nodePath.join(temp(), "r.json")
      const exit = yield* run(
        `${repo}/examples/traces/gemini-stream.jsonl`,
        "--dir",
        repo,
        "--runs",
        "1",
        "--use-recorded-latency",
        "--parallel-min-tools",
        "2",
        "--json",
        out
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      const json: unknown = JSON.parse(fs.readFileSync(out, "utf8"))
      expect(json).toMatchObject({
        format: "gemini",
        parallelMinTools: 2,
        parallelTurns: 1,
        failedCalls: 0,
        skipped: [{ reason: "tool \"google_web_search\" has no built-in equivalent", count: 1 }],
        turns: [{ calls: 5, plan: "Parallel 5 ×5", parallel: true }, {
          calls: 1,
          plan: "Sequential ×1",
          parallel: false
        }]
      })
    }))

  it.live("a file of several sessions writes each to --json; --root is taken", () =>
    Effect.gen(function*() {
      const out = nodePath.join(temp(), "r.json")
      const file = nodePath.join(temp(), "two.json")
      fs.writeFileSync(file, JSON.stringify([geminiSession("a"), geminiSession("b")]))
      const exit = yield* run(file, "--use-recorded-latency", "--runs", "1", "--root", "/p", "--json", out)
      expect(Exit.isSuccess(exit)).toBe(true)
      const json: unknown = JSON.parse(fs.readFileSync(out, "utf8"))
      expect(json).toMatchObject({
        trace: file,
        sessions: [
          { session: "item 1", recordedRoot: "/p", recordedRootSource: "given", simulated: true },
          { session: "item 2", totalSequentialMillis: 10 }
        ]
      })
    }))

  it.live("an unknown format exits with 2", () =>
    Effect.gen(function*() {
      const file = nodePath.join(temp(), "x.json")
      fs.writeFileSync(file, "[1, 2]")
      const exit = yield* run(file)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const before = process.exitCode
        yield* App.reportFailure(exit.cause)
        expect(process.exitCode).toBe(2)
        process.exitCode = before
      }
    }))
})
