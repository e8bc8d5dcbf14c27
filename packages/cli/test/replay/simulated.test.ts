/**
 * Replays in simulated time, end to end: the figures are the recorded durations scheduled by the real planner
 * and lanes on a virtual clock, so they are exact (no real sleeps, nothing asserted about wall time), nothing
 * runs and no checkout is needed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import * as Replay from "../../src/replay/replay.js"
import * as Report from "../../src/replay/report.js"
import { env, geminiSession, options } from "./fixtures.js"

const write = (name: string, text: string) => {
  const file = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-sim-")), name)
  fs.writeFileSync(file, text)
  return file
}

const simulate = (trace: string) => Replay.run(options(trace, "/nonexistent/checkout", { useRecordedLatency: true }))

const codexRow = (at: number, type: string, payload: unknown) =>
  JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + at).toISOString(), type, payload })

const codexTurn = (at: number, calls: ReadonlyArray<readonly [string, unknown, number]>) => [
  ...calls.map(([id, args], k) =>
    codexRow(at + k, "response_item", {
      type: "function_call",
      name: "shell_command",
      arguments: JSON.stringify(args),
      call_id: id
    })
  ),
  ...calls.map(([id, , seconds], k) =>
    codexRow(at + 60_000 + k, "response_item", {
      type: "function_call_output",
      call_id: id,
      output: `Exit code: 0\nWall time: ${seconds} seconds\nOutput:\n`
    })
  )
]

describe("replay in simulated time", () => {
  it.effect("Codex read turns, POSIX and PowerShell, are planned parallel; regret 0; no checkout", () =>
    Effect.gen(function*() {
      const text = [
        codexRow(0, "session_meta", { id: "s", cwd: "/home/ann/shop" }),
        ...codexTurn(1_000, [
          ["a", { command: "sed -n '1,200p' src/a.ts" }, 0.2],
          ["b", { command: "nl -ba src/b.ts | sed -n '40,80p'" }, 0.1],
          ["c", { command: "rg -n 'Effect.gen' src" }, 0.3],
          ["d", { command: "echo done" }, 0.05]
        ]),
        ...codexTurn(100_000, [
          ["p1", { command: "Get-Content -Path src\\a.ts -TotalCount 200", workdir: "C:\\shop" }, 0.4],
          ["p2", { command: "Get-Content src\\b.ts | Select-Object -First 40", workdir: "C:\\shop" }, 0.2],
          ["p3", { command: "Select-String -Path src\\*.ts -Pattern 'lanes'", workdir: "C:\\shop" }, 0.3]
        ]),
        ...codexTurn(200_000, [["w", { command: "sed -i 's/a/b/' src/a.ts" }, 1]])
      ].join("\n")
      const [result] = yield* simulate(write("rollout.jsonl", text))
      expect(result?.simulated).toBe(true)
      expect(result?.directory).toBeNull()
      expect(result?.turns.map((row) => [row.calls, row.parallel])).toEqual([[4, true], [3, true], [1, false]])
      // the sequential run is the recorded durations summed; the lanes run their makespan
      expect(result?.turns.map((row) => row.sequentialMillis.median)).toEqual([650, 900, 1000])
      expect(result?.turns.map((row) => row.lanesMillis.median)).toEqual([300, 400, 1000])
      expect(result?.recorded?.regretMillis).toBe(0)
      expect(result?.durationSources).toEqual([{ source: "output Wall time", count: 8 }])
      expect(result?.callsPerResponse).toEqual({ 1: 1, 3: 1, 4: 1 })
      expect(result?.changeableResponses).toBe(2)
      expect(result?.warnings).toEqual([])
    }).pipe(Effect.provide(env)))

  it.effect(
    "a day-long session replays with the same figures: sums and makespans of the recorded durations",
    () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        let at = Date.UTC(2026, 0, 1)
        let sequential = 0
        let lanes = 0
        for (let t = 0; t < 200; t++) {
          // three reads of 100 s, 120 s and 140 s in one response, then a write of 90 s
          const durations = [100_000, 120_000, 140_000]
          durations.forEach((ms, k) => {
            const id = `r${t}-${k}`
            lines.push(JSON.stringify({
              type: "assistant",
              sessionId: "s",
              cwd: "/home/ann/shop",
              timestamp: new Date(at).toISOString(),
              message: {
                id: `m${t}`,
                role: "assistant",
                content: [{ type: "tool_use", id, name: "Read", input: { file_path: `/home/ann/shop/f${k}.ts` } }]
              }
            }))
            lines.push(JSON.stringify({
              type: "user",
              sessionId: "s",
              timestamp: new Date(at + ms).toISOString(),
              message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "x" }] }
            }))
          })
          const id = `w${t}`
          lines.push(JSON.stringify({
            type: "assistant",
            sessionId: "s",
            timestamp: new Date(at + 141_000).toISOString(),
            message: {
              id: `n${t}`,
              role: "assistant",
              content: [{
                type: "tool_use",
                id,
                name: "Write",
                input: { file_path: `/home/ann/shop/out${t}.ts`, content: "x" }
              }]
            }
          }))
          lines.push(JSON.stringify({
            type: "user",
            sessionId: "s",
            timestamp: new Date(at + 231_000).toISOString(),
            message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "ok" }] }
          }))
          at += 300_000
          sequential += 360_000 + 90_000
          lanes += 140_000 + 90_000
        }
        const [result] = yield* simulate(write("day.jsonl", lines.join("\n")))
        expect(result?.replayedCalls).toBe(800)
        expect(result?.totalSequentialMillis).toBe(sequential)
        expect(sequential).toBeGreaterThan(86_400_000)
        expect(result?.totalLanesMillis).toBe(lanes)
        expect(result?.recorded?.regretMillis).toBe(0)
        // two passes (warm-up and one run), each mode once: the virtual clock ran through all of them
        expect(result?.virtualMillis).toBe(2 * (sequential + lanes))
        expect(Report.table(result!).notes?.join("\n")).toContain("Simulated: each call took its recorded duration")
      }).pipe(Effect.provide(env)),
    120_000
  )

  it.effect("a file holding a Codex and a Claude Code session replays both, named; calls without a duration are counted", () =>
    Effect.gen(function*() {
      const claude = (id: string, message: string) =>
        JSON.stringify({
          type: "assistant",
          sessionId: "c",
          cwd: "/home/ann/shop",
          message: {
            id: message,
            role: "assistant",
            content: [{ type: "tool_use", id, name: "Read", input: { file_path: "/home/ann/shop/a.ts" } }]
          }
        })
      const text = [
        claude("r1", "m1"),
        codexRow(0, "session_meta", { id: "x", cwd: "/srv/app" }),
        ...codexTurn(10, [["k1", { command: "ls" }, 0.5], ["k2", { command: "cat a" }, 0.5]]),
        claude("r2", "m1")
      ].join("\n")
      const results = yield* simulate(write("mixed.jsonl", text))
      expect(results.map((result) => [result.session, result.format, result.replayedCalls])).toEqual([
        ["claude-code lines", "claude-code", 2],
        ["codex lines", "codex", 2]
      ])
      expect(results[0]?.callsWithoutDuration).toBe(2)
      expect(results[0]?.withoutDuration[0]?.reason).toContain("no duration")
      expect(results[1]?.callsWithoutDuration).toBe(0)
    }).pipe(Effect.provide(env)))

  it.effect("a JSON array of whole sessions replays each", () =>
    Effect.gen(function*() {
      const results = yield* simulate(write("two.json", JSON.stringify([geminiSession("a"), geminiSession("b")])))
      expect(results.map((result) => result.session)).toEqual(["item 1", "item 2"])
      expect(results.map((result) => result.totalSequentialMillis)).toEqual([10, 10])
    }).pipe(Effect.provide(env)))
})
