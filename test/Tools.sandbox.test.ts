/**
 * `bash` in its OS sandbox (bubblewrap), attacked as a model under prompt injection would. These tests need the
 * real `bwrap` (`.ci/run` installs it); without it they are skipped with a message saying so. Timeouts run on
 * the TestClock; waits for a command's progress are on file-system events; no real sleeps, no wall-clock
 * assertions.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, FastCheck, Fiber, TestClock } from "effect"
import * as NodeFs from "node:fs"
import { CappedOutput } from "../src/internal/tools/bash.js"
import * as Tools from "../src/tools/Tools.js"
import { hasBwrap, processesWith, setup, untilFile } from "./utils/tools.js"

let markers = 0
/** An argument no other process on the host carries. */
const marker = () => `effect-lanes-marker-${process.pid}-${++markers}`

/** A background job, started with `prefix` (e.g. `setsid `), that reports `up` in `ready` and then runs forever. */
const job = (ready: string, tag: string, prefix = "", trap = "") =>
  `${prefix}bash -c "${trap}echo up > ${ready}; while :; do sleep 1; done" ${tag} &`

/** Three jobs the old tool let outlive the call: plain, `setsid`, and one ignoring SIGTERM. */
const jobs = (tag: string) => [job("r1", tag), job("r2", tag, "setsid "), job("r3", tag, "", "trap '' TERM; ")]

const waitReady = (root: string) => Effect.forEach(["r1", "r2", "r3"], (name) => untilFile(`${root}/${name}`))

const withEnv = (name: string, value: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const before = process.env[name]
      process.env[name] = value
      return before
    }),
    (before) =>
      Effect.sync(() => {
        if (before === undefined) delete process.env[name]
        else process.env[name] = before
      })
  )

/** A bash result without its `limits` (the mechanisms differ between machines; tested on their own). */
const withoutLimits = (result: Tools.ToolResult) => {
  if (typeof result !== "object" || !("exitCode" in result)) return result
  const { limits: _, ...rest } = result
  return rest
}

describe("Tools bash: output caps", () => {
  it("keeps head and tail and counts what was cut, even for 600 MB (no RangeError)", () => {
    const output = new CappedOutput(1000)
    const chunk = new Uint8Array(1024 * 1024).fill(0x61)
    for (let index = 0; index < 600; index++) output.push(chunk)
    expect(output.cut).toBe(600 * 1024 * 1024 - 1000)
    expect(output.text()).toBe(
      `${"a".repeat(500)}\n[... ${600 * 1024 * 1024 - 1000} bytes cut ...]\n${"a".repeat(500)}`
    )
  })

  it.prop(
    "keeps exactly the first and last max/2 bytes, whatever the chunking",
    [
      FastCheck.array(FastCheck.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
      FastCheck.integer({ min: 2, max: 200 })
    ],
    ([chunks, max]) => {
      const output = new CappedOutput(max)
      for (const chunk of chunks) output.push(chunk)
      const all = Buffer.concat(chunks)
      const half = Math.floor(max / 2)
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
      if (all.length <= 2 * half) {
        expect(output.cut).toBe(0)
        expect(output.text()).toBe(decode(all))
      } else {
        expect(output.cut).toBe(all.length - 2 * half)
        expect(output.text()).toBe(
          `${decode(all.subarray(0, half))}\n[... ${all.length - 2 * half} bytes cut ...]\n${
            decode(all.subarray(all.length - half))
          }`
        )
      }
    }
  )
})

describe("Tools bash: without a sandbox", () => {
  it.scoped("refuses with SandboxUnavailable naming bwrap when it is not on PATH", () =>
    Effect.gen(function*() {
      yield* withEnv("PATH", "/nonexistent-effect-lanes")
      const { tools } = yield* setup()
      const error = yield* Effect.flip(tools.bash({ command: "echo hi" }))
      expect(error).toEqual(
        new Tools.SandboxUnavailable({ tool: "bash", missing: "bwrap", reason: "was not found on PATH" })
      )
      expect(error.message).toContain("bubblewrap")
      expect(yield* Effect.flip(tools.run({ id: "1", name: "bash", args: { command: "true" } }))).toMatchObject({
        _tag: "SandboxUnavailable"
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("refuses with SandboxUnavailable when the named bwrap cannot run", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup({ sandbox: { bwrap: "/nonexistent-effect-lanes/bwrap" } })
      const error = yield* Effect.flip(tools.bash({ command: "echo hi" }))
      expect(error).toMatchObject({ _tag: "SandboxUnavailable", tool: "bash" })
      expect(error._tag === "SandboxUnavailable" && error.missing).toContain("/nonexistent-effect-lanes/bwrap")
      // one line saying what is missing; the command line in a field of its own
      expect(error).toMatchObject({
        reason: "cannot be started (NotFound: spawn /nonexistent-effect-lanes/bwrap ENOENT)"
      })
      expect(error._tag === "SandboxUnavailable" && error.command).toContain(
        "/nonexistent-effect-lanes/bwrap --ro-bind"
      )
      expect(error.message).not.toContain("--ro-bind")
      expect(error.message).not.toContain("\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a bwrap that cannot create the sandbox: its exit code and the first line of its stderr, in one line", () =>
    Effect.gen(function*() {
      const { fs, path, root } = yield* setup()
      const fake = path.join(root, "fake-bwrap")
      yield* fs.writeFileString(
        fake,
        "#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\necho more >&2\nexit 1\n"
      )
      yield* fs.chmod(fake, 0o755)
      const { tools } = yield* setup({ sandbox: { bwrap: fake } })
      const error = yield* Effect.flip(tools.bash({ command: "true" }))
      expect(error).toMatchObject({
        _tag: "SandboxUnavailable",
        reason: "exited with code 1: bwrap: No permissions to create a new namespace"
      })
      expect(error.message.length).toBeLessThan(300)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("runs unconfined only when opted out, still with a clean environment", () =>
    Effect.gen(function*() {
      yield* withEnv("EFFECT_LANES_TEST_SECRET", "sk-unconfined")
      const { root, tools } = yield* setup({ sandbox: { kind: "none", setEnv: { GREETING: "hi" } } })
      const result = yield* tools.bash({ command: "pwd; printenv; echo out; echo err >&2; exit 3; cat" })
      expect(result.exitCode).toBe(3)
      expect(result.stdout.startsWith(`${root}\n`)).toBe(true)
      expect(result.stdout).toContain("GREETING=hi\n")
      expect(result.stdout).not.toContain("sk-unconfined")
      expect(result.stderr).toBe("err\n")
      // opted out of the sandbox: no limits, no proxy
      expect(result.limits).toBeUndefined()
      expect(result.refused).toBeUndefined()
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("unconfined: a timeout (TestClock) kills the process group before the call returns", () =>
    Effect.gen(function*() {
      const tag = marker()
      const { root, tools } = yield* setup({ sandbox: { kind: "none" } })
      const command = `exec bash -c "echo up > r1; while :; do sleep 1; done" ${tag} >/dev/null 2>&1`
      const fiber = yield* Effect.fork(tools.bash({ command, timeout: "1 minute" }))
      yield* untilFile(`${root}/r1`)
      // the loop's bash, and for an instant its child between fork and exec (`sleep`), which shares its argv
      expect(processesWith(tag).length).toBeGreaterThan(0)
      yield* TestClock.adjust("1 minute")
      expect(yield* Effect.flip(Fiber.join(fiber))).toEqual(
        new Tools.ToolTimeout({ tool: "bash", timeout: Duration.minutes(1) })
      )
      expect(processesWith(tag)).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe.skipIf(!hasBwrap)("Tools bash: in bubblewrap", () => {
  it.scoped("collects stdout, stderr and the exit code, in the root, with stdin closed", () =>
    Effect.gen(function*() {
      const { root, tools } = yield* setup()
      expect(withoutLimits(yield* tools.bash({ command: "echo out; echo err >&2; exit 3" }))).toEqual({
        exitCode: 3,
        stdout: "out\n",
        stderr: "err\n"
      })
      expect(withoutLimits(yield* tools.run({ id: "1", name: "bash", args: { command: "pwd; cat" } }))).toEqual({
        exitCode: 0,
        stdout: `${root}\n`,
        stderr: ""
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("fails malformed arguments with the field named", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const run = (args: unknown) => Effect.flip(tools.run({ id: "1", name: "bash", args }))
      expect(yield* run({ command: "true", timeout: "soon" })).toMatchObject({ tool: "bash", field: "timeout" })
      expect(yield* run({ command: "true", timeout: -5 })).toMatchObject({ tool: "bash", field: "timeout" })
      expect(yield* run({ command: "" })).toMatchObject({ tool: "bash", field: "command" })
      expect(yield* run({ timeout: 100 })).toMatchObject({ tool: "bash", field: "command" })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("cannot read or write outside the root, nor see the host's files", () =>
    Effect.gen(function*() {
      const { fs, outside, root, tools } = yield* setup()
      const result = yield* tools.bash({
        command: [
          "cat ../outside/secret.txt",
          `cat ${outside}/secret.txt`,
          "echo x > ../outside/x",
          `echo y > ${outside}/y`,
          "mkdir -p ../outside/z",
          "touch /usr/effect-lanes-x",
          "cat /etc/shadow",
          "ls /root /home /work /proc/1/root/etc",
          "echo inside > in.txt",
          "echo ---; ls /"
        ].join("; ")
      })
      expect(yield* fs.readDirectory(outside)).toEqual(["secret.txt"])
      expect(result.stdout).not.toContain("secret")
      expect(yield* fs.readFileString(`${root}/in.txt`)).toBe("inside\n")
      const visible = result.stdout.split("---\n")[1]?.split("\n").filter((name) => name !== "") ?? []
      const allowed = ["bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"]
      expect(visible.filter((name) => !allowed.includes(name))).toEqual([])
      expect(NodeFs.existsSync("/usr/effect-lanes-x")).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("the sandbox's own / and /dev are read-only; /tmp and /dev/shm are private tmpfs", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const result = yield* tools.bash({
        command:
          "for f in /x /dev/x /tmp/x /dev/shm/x; do (echo > $f) 2>/dev/null && echo \"wrote $f\" || echo \"refused $f\"; done"
      })
      expect(result.stdout).toBe("refused /x\nrefused /dev/x\nwrote /tmp/x\nwrote /dev/shm/x\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("does not inherit the host's environment; passes only the allowlist and what the app names", () =>
    Effect.gen(function*() {
      yield* withEnv("OPENAI_API_KEY", "sk-effect-lanes-test")
      yield* withEnv("EFFECT_LANES_PASS", "passed")
      const { tools } = yield* setup({ sandbox: { env: ["EFFECT_LANES_PASS"], setEnv: { MODE: "test" } } })
      const result = yield* tools.bash({ command: "printenv OPENAI_API_KEY; printenv" })
      expect(result.stdout).not.toContain("sk-effect-lanes-test")
      const names = result.stdout.split("\n").filter((line) => line.includes("=")).map((line) => line.split("=")[0])
      expect(
        names.filter((name) =>
          ![
            "PATH",
            "HOME",
            "PWD",
            "SHLVL",
            "_",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "TERM",
            "TZ",
            "EFFECT_LANES_PASS",
            "MODE"
          ].includes(name ?? "")
        )
      ).toEqual([])
      expect(result.stdout).toContain("EFFECT_LANES_PASS=passed\n")
      expect(result.stdout).toContain("MODE=test\n")
      expect(result.stdout).toContain("HOME=/tmp\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("has no network unless allowed", () =>
    Effect.gen(function*() {
      const interfaces = (table: string) =>
        table.split("\n").slice(2).map((line) => line.split(":")[0]?.trim() ?? "").filter((name) => name !== "")
      const { tools } = yield* setup()
      const closed = yield* tools.bash({ command: "cat /proc/net/dev" })
      expect(interfaces(closed.stdout)).toEqual(["lo"])
      const open = yield* setup({ sandbox: { network: true } })
      const shared = yield* open.tools.bash({ command: "cat /proc/net/dev" })
      expect(interfaces(shared.stdout).sort()).toEqual(interfaces(NodeFs.readFileSync("/proc/net/dev", "utf8")).sort())
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("inherits no descriptor but stdin, stdout and stderr", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const result = yield* tools.bash({ command: "ls /proc/$$/fd > fds.txt; tr '\\n' ' ' < fds.txt" })
      expect(result.stdout).toBe("0 1 2 ")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("holds no capabilities and cannot gain any: no mount, no mknod, no_new_privs set", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup()
      const result = yield* tools.bash({
        command:
          "mount -t tmpfs none /tmp && echo mounted; mknod dev0 b 8 0 && echo made; grep -E 'CapEff|NoNewPrivs' /proc/self/status"
      })
      expect(result.stdout).not.toContain("mounted")
      expect(result.stdout).not.toContain("made")
      expect(result.stdout).toContain("CapEff:\t0000000000000000")
      expect(result.stdout).toContain("NoNewPrivs:\t1")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("after success, no background job outlives the call (setsid and SIGTERM-proof ones included)", () =>
    Effect.gen(function*() {
      const tag = marker()
      const { tools } = yield* setup()
      const result = yield* tools.bash({
        command: [...jobs(tag), "until [ -s r1 ] && [ -s r2 ] && [ -s r3 ]; do :; done", "echo started"].join("\n")
      })
      expect(withoutLimits(result)).toEqual({ exitCode: 0, stdout: "started\n", stderr: "" })
      expect(processesWith(tag)).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a timeout (TestClock) kills the command and everything it started before the call returns", () =>
    Effect.gen(function*() {
      const tag = marker()
      const { root, tools } = yield* setup({ bashTimeout: "1 minute" })
      const fiber = yield* Effect.fork(tools.bash({ command: [...jobs(tag), "wait"].join("\n") }))
      yield* waitReady(root)
      expect(processesWith(tag).length).toBeGreaterThanOrEqual(3)
      yield* TestClock.adjust("1 minute")
      expect(yield* Effect.flip(Fiber.join(fiber))).toEqual(
        new Tools.ToolTimeout({ tool: "bash", timeout: Duration.minutes(1) })
      )
      expect(processesWith(tag)).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an interruption kills the command and everything it started", () =>
    Effect.gen(function*() {
      const tag = marker()
      const { root, tools } = yield* setup()
      const fiber = yield* Effect.fork(
        tools.run({ id: "1", name: "bash", args: { command: [...jobs(tag), "wait"].join("\n") } })
      )
      yield* waitReady(root)
      expect(processesWith(tag).length).toBeGreaterThanOrEqual(3)
      yield* Fiber.interrupt(fiber)
      expect(processesWith(tag)).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("caps each output stream, keeping head and tail and saying what was cut", () =>
    Effect.gen(function*() {
      const { tools } = yield* setup({ maxOutputBytes: 1000 })
      const result = yield* tools.bash({
        command: "head -c 3000000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' b >&2"
      })
      expect(withoutLimits(result)).toEqual({
        exitCode: 0,
        stdout: `${"a".repeat(500)}\n[... 2999000 bytes cut ...]\n${"a".repeat(500)}`,
        stderr: `${"b".repeat(500)}\n[... 4000 bytes cut ...]\n${"b".repeat(500)}`,
        truncated: { stdout: 2999000, stderr: 4000 }
      })
    }).pipe(Effect.provide(NodeContext.layer)))
})

if (!hasBwrap) {
  describe("Tools bash: in bubblewrap", () => {
    it.skip("SKIPPED: bwrap is not on PATH; install bubblewrap (apt-get install bubblewrap; .ci/run does)", () => {})
  })
}
