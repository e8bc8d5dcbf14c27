/**
 * The `bash` tool.
 *
 * @internal
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import type { ToolEnv } from "./env.js"
import { type ResourceLimitExceeded, type SandboxUnavailable, ToolFailed, ToolTimeout } from "./errors.js"
import * as Limits from "./limits.js"
import * as Proxy from "./proxy.js"
import * as Sampler from "./sampler.js"
import type { BashArgs, BashResult } from "./schemas.js"

/**
 * The output of one stream, capped at `max` bytes: the first half and the last half are kept, whatever lies
 * between is counted and dropped.
 *
 * @internal
 */
export class CappedOutput {
  private readonly half: number
  private readonly head: Array<Uint8Array> = []
  private headBytes = 0
  private readonly tail: Array<Uint8Array> = []
  private tailBytes = 0
  private total = 0

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2))
  }

  push(chunk: Uint8Array): void {
    this.total += chunk.length
    let rest = chunk
    if (this.headBytes < this.half) {
      const taken = rest.subarray(0, this.half - this.headBytes)
      this.head.push(taken)
      this.headBytes += taken.length
      rest = rest.subarray(taken.length)
    }
    if (rest.length === 0) return
    if (rest.length >= this.half) {
      this.tail.length = 0
      this.tail.push(rest.subarray(rest.length - this.half))
      this.tailBytes = this.half
      return
    }
    this.tail.push(rest)
    this.tailBytes += rest.length
    while (this.tailBytes > this.half) {
      const first = this.tail[0]
      if (first === undefined) break
      const excess = this.tailBytes - this.half
      if (first.length <= excess) {
        this.tail.shift()
        this.tailBytes -= first.length
      } else {
        this.tail[0] = first.subarray(excess)
        this.tailBytes -= excess
      }
    }
  }

  /** The bytes dropped from the middle. */
  get cut(): number {
    return this.total - this.headBytes - this.tailBytes
  }

  /** The kept text, with a marker line where bytes were cut. */
  text(): string {
    const decode = (parts: ReadonlyArray<Uint8Array>) => new TextDecoder().decode(Buffer.concat(parts))
    if (this.cut === 0) return decode([...this.head, ...this.tail])
    return `${decode(this.head)}\n[... ${this.cut} bytes cut ...]\n${decode(this.tail)}`
  }
}

const collect = (
  stream: Stream.Stream<Uint8Array, PlatformError>,
  max: number
): Effect.Effect<CappedOutput, PlatformError> =>
  Effect.suspend(() => {
    const output = new CappedOutput(max)
    return Stream.runForEach(stream, (chunk) => Effect.sync(() => output.push(chunk))).pipe(Effect.as(output))
  })

// The host PID of the sandbox's init (bwrap's child, PID 1 of the command's PID namespace), if it is running.
const sandboxInit = (bwrap: number): number | undefined => {
  try {
    const children = NodeFs.readFileSync(`/proc/${bwrap}/task/${bwrap}/children`, "utf8").trim().split(" ")
    const init = Number.parseInt(children[0] ?? "", 10)
    return Number.isInteger(init) && init > 0 ? init : undefined
  } catch {
    return undefined
  }
}

// Unconfined: when the scope closes, kills the process group, whatever happened: after a timeout or an
// interruption the command is still running; after success its background jobs may be. SIGTERM first, SIGKILL
// after a grace period. Finalizers are uninterruptible, so the wait for the exit is made interruptible for the
// grace timeout to end it.
const killGroupOnClose = (child: CommandExecutor.Process, grace: Duration.Duration) =>
  Effect.addFinalizer(() =>
    Effect.gen(function*() {
      const running = yield* child.isRunning
      if (!running) {
        yield* Effect.ignore(child.kill("SIGKILL"))
        return
      }
      yield* child.kill("SIGTERM").pipe(
        Effect.interruptible,
        Effect.timeout(grace),
        Effect.catchAll(() => child.kill("SIGKILL"))
      )
    }).pipe(Effect.ignore)
  )

// Sandboxed: when the scope closes with bwrap still running, SIGKILLs the sandbox's init. The kernel then kills
// every process of the PID namespace and reaps them before init's exit completes, and bwrap exits after its
// child: so once bwrap's exit is seen, nothing the command started is left. bwrap itself is killed when its
// init cannot be found or it does not exit within the grace period (its child then dies of --die-with-parent).
const killSandboxOnClose = (child: CommandExecutor.Process, grace: Duration.Duration) =>
  Effect.addFinalizer(() =>
    Effect.gen(function*() {
      if (!(yield* child.isRunning)) return
      const init = sandboxInit(child.pid)
      if (init === undefined) return yield* child.kill("SIGKILL")
      yield* Effect.sync(() => process.kill(init, "SIGKILL"))
      yield* child.exitCode.pipe(
        Effect.ignore,
        Effect.interruptible,
        Effect.timeout(grace),
        Effect.catchAll(() => child.kill("SIGKILL"))
      )
    }).pipe(Effect.ignore)
  )

/**
 * Runs `bash -c command` in the root directory, inside the OS sandbox (or, when the application opted out,
 * directly), with an empty stdin and a clean environment, and collects its exit code and output (each stream
 * capped at `maxOutputBytes`, head and tail kept). In the sandbox, the call gets its own cgroups and resource
 * limits, sampled while it runs (a limit reached fails the call with `ResourceLimitExceeded`), and, with a
 * network allowlist, its own proxy, whose refusals the result lists. On timeout (the call's `timeout`, else the
 * service's default), a limit reached, or interruption, the sandbox is killed with everything in it, and the
 * call returns only once it is gone; unconfined, the process group gets SIGTERM, then SIGKILL after
 * `bashKillGrace`.
 *
 * @internal
 */
export const bash = (env: ToolEnv) =>
(
  args: typeof BashArgs.Type
): Effect.Effect<
  typeof BashResult.Type,
  ToolFailed | ToolTimeout | SandboxUnavailable | ResourceLimitExceeded
> =>
  Effect.gen(function*() {
    const launcher = yield* env.launcher
    const timeout = args.timeout ?? env.bashTimeout
    return yield* Effect.scoped(
      Effect.gen(function*() {
        // acquired before the sandbox starts, released after it is gone (its kill is registered later)
        const groups = launcher.limits === undefined ? undefined : yield* Limits.groups(launcher.limits)
        const proxy = launcher.network === undefined ? undefined : yield* Proxy.serve(launcher.network)
        const [program = "bash", ...rest] = [
          ...launcher.argv({ procs: groups?.procs ?? [], proxy: proxy?.socket }),
          args.command
        ]
        const command = Command.make(program, ...rest).pipe(
          Command.workingDirectory(env.confined.root),
          Command.env(launcher.env, { extendEnv: false }),
          Command.feed("")
        )
        const child = yield* env.executor.start(command).pipe(Effect.mapError(platformFailure))
        yield* (launcher.sandboxed ? killSandboxOnClose : killGroupOnClose)(child, env.bashKillGrace)
        const outputs = Effect.all(
          [collect(child.stdout, env.maxOutputBytes), collect(child.stderr, env.maxOutputBytes), child.exitCode],
          { concurrency: "unbounded" }
        ).pipe(Effect.mapError(platformFailure))
        const monitor = launcher.limits === undefined || groups === undefined
          ? undefined
          : Sampler.monitor(launcher.limits, groups, child.pid)
        const [stdout, stderr, exitCode] = yield* monitor === undefined ? outputs : Sampler.watched(monitor, outputs)
        const stopped = monitor?.verdict(exitCode)
        if (stopped !== undefined) return yield* stopped
        const result: typeof BashResult.Type = {
          exitCode,
          stdout: stdout.text(),
          stderr: stderr.text(),
          ...(stdout.cut + stderr.cut === 0 ? {} : { truncated: { stdout: stdout.cut, stderr: stderr.cut } }),
          ...(launcher.limits === undefined ? {} : { limits: launcher.limits.limits }),
          ...(proxy === undefined ? {} : { refused: proxy.refused() })
        }
        return result
      })
    ).pipe(
      Effect.timeoutFail({ duration: timeout, onTimeout: () => new ToolTimeout({ tool: "bash", timeout }) })
    )
  })

const platformFailure = (error: PlatformError) => new ToolFailed({ tool: "bash", message: error.message })
