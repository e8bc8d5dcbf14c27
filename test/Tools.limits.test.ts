/**
 * The resource limits of `bash`'s sandbox, attacked with small, bounded bombs: a fork bomb, a memory bomb, a
 * disk fill and CPU spins. Each bomb runs only after a harmless probe has shown, in the same test, that the limit
 * that stops it is in place (50-100 `sleep`s against a pids limit, a 64 MiB allocation against 32 MiB, an 8 MiB
 * file against 4 MiB, `ulimit -t`). Each must end the call with `ResourceLimitExceeded` naming the limit, leave
 * no process and no cgroup behind, and leave the test process responsive: a periodic timer keeps firing on time.
 * That timer, and the bombs' own 20-second timeout as a backstop, run on the real clock (`it.scopedLive`): the
 * one place these tests need it, since the question is how the host fares in real time. The mechanisms differ
 * between machines (cgroup v1 as root here and in CI, resource limits for other users); the tests say which ran.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, FastCheck } from "effect"
import * as Cgroup from "../src/internal/tools/cgroup.js"
import * as Limits from "../src/internal/tools/limits.js"
import * as Tools from "../src/tools/Tools.js"
import { leftoverGroups, timerLag } from "./utils/sandbox.js"
import { hasBwrap, processesWith, setup } from "./utils/tools.js"

let markers = 0
/** An argument no other process on the host carries. */
const marker = () => `effect-lanes-limits-${process.pid}-${++markers}`

const MiB = 1024 * 1024

/** How late the timer may fire while a bomb runs, in milliseconds: loose, for a loaded shared machine. */
const maxLag = 2000

const mechanismOf = (result: Tools.BashResult, limit: Tools.AppliedLimit["limit"]) =>
  result.limits?.find((entry) => entry.limit === limit)?.mechanism ?? "none"

/** Runs a bomb under `limits`; its failure, once nothing of it is left and the timer kept firing on time. */
const bomb = (limits: Tools.LimitOptions, command: (tag: string) => string) =>
  Effect.gen(function*() {
    const tag = marker()
    const { tools } = yield* setup({ sandbox: { limits } })
    const lag = yield* timerLag()
    const outcome = yield* Effect.either(tools.bash({ command: command(tag), timeout: "20 seconds" }))
    expect(processesWith(tag)).toEqual([])
    expect(leftoverGroups()).toEqual([])
    expect(yield* lag).toBeLessThan(maxLag)
    return outcome
  })

const stoppedBy = (outcome: Either.Either<Tools.BashResult, unknown>, limit: Tools.AppliedLimit["limit"]) => {
  expect(Either.isLeft(outcome) ? outcome.left : outcome.right).toMatchObject({ _tag: "ResourceLimitExceeded", limit })
}

describe("Tools bash: limit settings", () => {
  it.effect("a bad setting fails make with InvalidSandboxOptions naming it", () =>
    Effect.gen(function*() {
      const cases: Array<[Tools.LimitOptions, string]> = [
        [{ processes: 0 }, "sandbox.limits.processes"],
        [{ memoryBytes: 1.5 }, "sandbox.limits.memoryBytes"],
        [{ writtenBytes: -1 }, "sandbox.limits.writtenBytes"],
        [{ openFiles: Number.NaN }, "sandbox.limits.openFiles"],
        [{ cpuTime: Duration.zero }, "sandbox.limits.cpuTime"],
        [{ cpuTime: Duration.infinity }, "sandbox.limits.cpuTime"],
        [{ cgroup: "relative/path" }, "sandbox.limits.cgroup"]
      ]
      for (const [limits, field] of cases) {
        const error = yield* Effect.flip(setup({ sandbox: { limits } }).pipe(Effect.scoped))
        expect(error).toMatchObject({ _tag: "InvalidSandboxOptions", field })
        expect(error.message).toContain(field)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.prop(
    "settings: every positive integer is kept, anything else is refused naming the field",
    [
      FastCheck.oneof(FastCheck.integer({ min: 1 }), FastCheck.double()),
      FastCheck.constantFrom(...(["processes", "memoryBytes", "writtenBytes", "openFiles"] as const))
    ],
    ([value, name]) => {
      const settings = Limits.settings({ [name]: value })
      if (Number.isSafeInteger(value) && value > 0) {
        expect(Either.getOrThrow(settings)?.[name]).toBe(value)
      } else {
        expect(Either.flip(settings)).toMatchObject({ right: { field: `sandbox.limits.${name}` } })
      }
    }
  )

  const hierarchy = (version: 1 | 2, controllers: ReadonlyArray<string>): Cgroup.Hierarchy => ({
    version,
    dir: `/sys/fs/cgroup/v${version}/${controllers.join(",")}`,
    controllers: new Set(controllers)
  })

  it.prop(
    "plan: each limit takes a cgroup where one offers it (v2 first), resource limits otherwise",
    [
      FastCheck.option(FastCheck.subarray(["pids", "memory", "cpu"]), { nil: undefined }),
      FastCheck.subarray(["pids", "memory", "cpuacct"]),
      FastCheck.boolean()
    ],
    ([v2, v1, root]) => {
      const settings = Either.getOrThrow(Limits.settings({}))
      if (settings === undefined) throw new Error("limits are on by default")
      const hierarchies: Cgroup.Hierarchies = {
        v2: v2 === undefined ? undefined : hierarchy(2, v2),
        v1: new Map(v1.map((name) => [name, hierarchy(1, [name])]))
      }
      const plan = Limits.plan(settings, hierarchies, root)
      const expected = (v2name: string | undefined, v1name: string) =>
        v2 !== undefined && (v2name === undefined || v2.includes(v2name)) ? 2 : v1.includes(v1name) ? 1 : undefined
      const version = (group: Limits.Plan["processes"]) =>
        typeof group === "string" ? undefined : group.hierarchy.version
      expect(version(plan.processes)).toBe(expected("pids", "pids"))
      expect(version(plan.memory)).toBe(expected("memory", "memory"))
      expect(version(plan.cpu)).toBe(expected(undefined, "cpuacct"))
      if (typeof plan.processes === "string") expect(plan.processes).toBe(root ? "sampled" : "rlimit")
      expect(plan.ulimits.includes("-u ")).toBe(plan.processes === "rlimit")
      expect(plan.ulimits.includes("-d ")).toBe(plan.memory === "rlimit")
      expect(plan.limits.map((entry) => [entry.limit, entry.max])).toEqual([
        ["processes", 512],
        ["memoryBytes", 2 * 1024 ** 3],
        ["cpuTime", 300],
        ["writtenBytes", 1024 ** 3],
        ["openFiles", 4096]
      ])
    }
  )
})

describe.skipIf(!hasBwrap)("Tools bash: limits in the sandbox", () => {
  it.scoped("every result lists the five limits and what holds each; limits: false sets none", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const result = yield* tools.bash({ command: "true" })
      expect(result.limits?.map((entry) => entry.limit)).toEqual([
        "processes",
        "memoryBytes",
        "cpuTime",
        "writtenBytes",
        "openFiles"
      ])
      expect(result.limits?.map((entry) => entry.max)).toEqual([
        Tools.limitDefaults.processes,
        Tools.limitDefaults.memoryBytes,
        Duration.toSeconds(Tools.limitDefaults.cpuTime),
        Tools.limitDefaults.writtenBytes,
        Tools.limitDefaults.openFiles
      ])
      const off = yield* setup({ sandbox: { limits: false } })
      expect((yield* off.tools.bash({ command: "true" })).limits).toBeUndefined()
      expect(leftoverGroups()).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("limits.cgroup names the v2 group to create the calls' groups in; one that cannot be used is refused", () =>
    Effect.gen(function*() {
      const missing = yield* setup({ sandbox: { limits: { cgroup: "/nonexistent-effect-lanes/cgroup" } } })
      expect(yield* Effect.flip(missing.tools.bash({ command: "true" }))).toMatchObject({
        _tag: "SandboxUnavailable",
        missing: "the cgroup /nonexistent-effect-lanes/cgroup"
      })
      const v2 = Cgroup.discover().v2
      if (v2 === undefined) return
      const { tools } = yield* setup({ sandbox: { limits: { cgroup: v2.dir } } })
      const result = yield* tools.bash({ command: "cat /proc/self/cgroup" })
      expect(mechanismOf(result, "cpuTime")).toContain("cgroup v2 cpu.stat")
      expect(leftoverGroups()).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("the resource limits are set in the sandbox, hard (a command cannot raise them)", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup({
        sandbox: { limits: { openFiles: 100, cpuTime: "7 seconds", writtenBytes: MiB } }
      })
      const result = yield* tools.bash({
        command:
          "ulimit -n; ulimit -St; ulimit -Ht; ulimit -f; ulimit -n 200 2>/dev/null || echo refused; df -k /tmp | tail -1"
      })
      const [files, soft, hard, size, raise, tmp] = result.stdout.split("\n")
      expect([files, soft, hard, size, raise]).toEqual(["100", "7", "8", "1024", "refused"])
      expect(tmp?.split(/\s+/)[1]).toBe("1024")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a command cannot open more files than openFiles", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup({ sandbox: { limits: { openFiles: 32 } } })
      const result = yield* tools.bash({
        command:
          "for i in $(seq 64); do exec {fd}</dev/null || { echo stopped; break; }; done 2>/dev/null; ls /proc/$$/fd | wc -l"
      })
      expect(result.stdout).toContain("stopped")
      expect(Number(result.stdout.split("\n")[1])).toBeLessThanOrEqual(32)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a file larger than writtenBytes is cut there, and the call fails naming writtenBytes", () =>
    Effect.gen(function*() {
      const { fs, root, tools } = yield* setup({ sandbox: { limits: { writtenBytes: MiB } } })
      const error = yield* Effect.flip(tools.bash({ command: "head -c 2M /dev/zero > big" }))
      expect(error).toMatchObject({ _tag: "ResourceLimitExceeded", limit: "writtenBytes", max: MiB })
      expect(Number((yield* fs.stat(`${root}/big`)).size)).toBeLessThanOrEqual(MiB)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe.skipIf(!hasBwrap)("Tools bash: bombs", () => {
  it.scopedLive("a fork bomb ends the call with ResourceLimitExceeded (processes)", () =>
    Effect.gen(function*() {
      // the probe: 100 sleeps against 64
      const probe = yield* bomb({ processes: 64 }, (tag) =>
        `bash -c 'for i in $(seq 100); do sleep 5 & done; wait' ${tag}`)
      stoppedBy(probe, "processes")
      const outcome = yield* bomb({ processes: 64 }, (tag) =>
        `bash -c ':(){ :|:& };:; sleep 20' ${tag}`)
      stoppedBy(outcome, "processes")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a memory bomb ends the call with ResourceLimitExceeded (memoryBytes), or fails to allocate", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup({ sandbox: { limits: { memoryBytes: 32 * MiB } } })
      const mechanism = mechanismOf(yield* tools.bash({ command: "true" }), "memoryBytes")
      const allocate = (mib: number, loop: boolean) => (tag: string) =>
        loop
          ? `perl -e 'my @a; for (1..${mib}) { push @a, "a" x (1 << 20) } print "survived\\n"' ${tag}; sleep 20`
          : `perl -e '$x = "a" x (${mib} << 20); print "survived\\n"' ${tag}`
      const check = (outcome: Either.Either<Tools.BashResult, unknown>) => {
        if (mechanism.startsWith("cgroup")) return stoppedBy(outcome, "memoryBytes")
        // RLIMIT_DATA: the allocation fails inside the program, which reports it
        expect(Either.getOrThrow(outcome)).toMatchObject({ stderr: expect.stringContaining("Out of memory") })
      }
      // the probe: 64 MiB against 32 MiB
      check(yield* bomb({ memoryBytes: 32 * MiB }, allocate(64, false)))
      // the bomb: up to 1 GiB in 1 MiB steps against 64 MiB
      check(yield* bomb({ memoryBytes: 64 * MiB }, allocate(1024, true)))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a disk fill ends the call with ResourceLimitExceeded (writtenBytes), one file or many", () =>
    Effect.gen(function*() {
      // the probe: 8 MiB against 4 MiB
      stoppedBy(
        yield* bomb({ writtenBytes: 4 * MiB }, (tag) => `bash -c 'head -c 8M /dev/zero > probe' ${tag}`),
        "writtenBytes"
      )
      // one endless file: RLIMIT_FSIZE cuts it at the limit
      stoppedBy(yield* bomb({ writtenBytes: 4 * MiB }, (tag) => `bash -c 'yes > out' ${tag}`), "writtenBytes")
      // many files under the per-file size (bounded at 256 MiB): the sampled total stops it
      const outcome = yield* bomb(
        { writtenBytes: 4 * MiB },
        (tag) => `bash -c 'i=0; while [ $i -lt 256 ]; do head -c 1M /dev/zero > f$i; i=$((i+1)); done; sleep 20' ${tag}`
      )
      stoppedBy(outcome, "writtenBytes")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a CPU spin ends the call with ResourceLimitExceeded (cpuTime), one process or several", () =>
    Effect.gen(function*() {
      // the probe: the limit is in place
      const { tools } = yield* setup({ sandbox: { limits: { cpuTime: "1 second" } } })
      expect((yield* tools.bash({ command: "ulimit -St" })).stdout).toBe("1\n")
      stoppedBy(yield* bomb({ cpuTime: "1 second" }, (tag) => `bash -c 'while :; do :; done' ${tag}`), "cpuTime")
      // three spinners: each under RLIMIT_CPU, stopped by the total
      const outcome = yield* bomb(
        { cpuTime: "1 second" },
        (tag) => `bash -c 'for i in 1 2 3; do (while :; do :; done) & done; wait' ${tag}`
      )
      stoppedBy(outcome, "cpuTime")
    }).pipe(Effect.provide(NodeContext.layer)))
})

if (!hasBwrap) {
  describe("Tools bash: limits in the sandbox", () => {
    it.skip("SKIPPED: bwrap is not on PATH; install bubblewrap (apt-get install bubblewrap; .ci/run does)", () => {})
  })
}
