/**
 * Helpers of the sandbox tests: the groups a call leaves behind, whether `socat` is installed, and the lag of a
 * periodic timer (the one place these tests read a real clock: whether the test process stays responsive while
 * a bomb runs in the sandbox is a question about real time).
 */
import { Clock, Duration, Effect, Ref } from "effect"
import * as NodeFs from "node:fs"
import * as Cgroup from "../../src/internal/tools/cgroup.js"
import { findOnPath } from "../../src/internal/tools/sandbox.js"

/** The cgroups of this process's calls that still exist (there must be none once a call has returned). */
export const leftoverGroups = (): Array<string> => {
  const hierarchies = Cgroup.discover()
  const dirs = new Set([
    ...(hierarchies.v2 ? [hierarchies.v2.dir] : []),
    ...[...hierarchies.v1.values()].map((h) => h.dir)
  ])
  return [...dirs].flatMap((dir) =>
    NodeFs.readdirSync(dir).filter((name) => new RegExp(`^effect-lanes-${process.pid}-\\d+$`).test(name))
  )
}

/** Whether `socat` is on the PATH: the network allowlist needs it (`.ci/run` installs it). */
export const hasSocat = findOnPath("socat", process.env.PATH) !== undefined

/**
 * Starts a timer firing every `period` in the scope, on the real clock (the test must run live); the effect
 * returned gives the worst lag seen so far, in milliseconds.
 */
export const timerLag = (period: Duration.DurationInput = "20 millis") =>
  Effect.gen(function*() {
    const worst = yield* Ref.make(0)
    const millis = Duration.toMillis(Duration.decode(period))
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const before = yield* Clock.currentTimeMillis
      yield* Effect.sleep(period)
      const lag = (yield* Clock.currentTimeMillis) - before - millis
      yield* Ref.update(worst, (current) => Math.max(current, lag))
    })))
    return Ref.get(worst)
  })
