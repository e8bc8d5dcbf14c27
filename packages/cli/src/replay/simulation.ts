/**
 * Simulated time: an effect run on a virtual clock, so a day of recorded tool calls replays in seconds with
 * the same figures. The effect runs on its own fiber whose every descendant uses a virtual `Clock` and Effect's
 * `ControlledScheduler`; a driver runs the queued work until nothing can run, then moves the clock to the next
 * sleep's deadline and wakes it. Waiting for anything but time (a real file, a timer of the live clock) would
 * never end under this driver, so it is an error ({@link Stalled}), as is virtual time running past a bound.
 *
 * It is a discrete-event simulation of the real code: the lanes, semaphores and planner run unchanged; only
 * `Clock.sleep` and the clock's readings are virtual.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import * as Scheduler from "effect/Scheduler"
import * as Schema from "effect/Schema"

/**
 * The simulated effect waited for something other than virtual time, or ran past the virtual-time bound.
 *
 * @since 0.1.0
 * @category errors
 */
export class Stalled extends Schema.TaggedError<Stalled>()("Stalled", {
  virtualMillis: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `the simulation stalled at ${this.virtualMillis} ms of virtual time: ${this.reason}`
  }
}

interface Sleeper {
  readonly at: number
  readonly seq: number
  readonly wake: () => void
}

/**
 * A clock whose time moves only when {@link VirtualClock.advance} is called, to the earliest pending sleep.
 *
 * @since 0.1.0
 * @category models
 */
export class VirtualClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  /** Virtual milliseconds since the start. */
  now = 0
  private sleepers: Array<Sleeper> = []
  private seq = 0

  unsafeCurrentTimeMillis(): number {
    return this.now
  }
  get currentTimeMillis(): Effect.Effect<number> {
    return Effect.sync(() => this.now)
  }
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(Math.round(this.now * 1_000_000))
  }
  get currentTimeNanos(): Effect.Effect<bigint> {
    return Effect.sync(() => this.unsafeCurrentTimeNanos())
  }
  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const millis = Duration.toMillis(duration)
    if (!(millis > 0)) return Effect.void
    return Effect.async<void>((resume) => {
      const sleeper: Sleeper = { at: this.now + millis, seq: this.seq++, wake: () => resume(Effect.void) }
      // kept sorted by deadline, then by arrival: the sleeps of one instant wake in the order they began
      let i = this.sleepers.length
      while (i > 0 && (this.sleepers[i - 1]?.at ?? 0) > sleeper.at) i--
      this.sleepers.splice(i, 0, sleeper)
      return Effect.sync(() => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper)
      })
    })
  }

  /** Whether any sleep is pending. */
  get pending(): boolean {
    return this.sleepers.length > 0
  }

  /** Moves the time to the earliest pending deadline and wakes every sleep due then. */
  advance(): void {
    const first = this.sleepers[0]
    if (first === undefined) return
    this.now = Math.max(this.now, first.at)
    const due = this.sleepers.filter((s) => s.at <= this.now)
    this.sleepers = this.sleepers.filter((s) => s.at > this.now)
    for (const sleeper of due) sleeper.wake()
  }
}

/** Real milliseconds the driver runs before it lets the event loop run (a signal, the progress line). */
const sliceMillis = 50

/**
 * Runs `self` in simulated time: on a fresh {@link VirtualClock} and a `ControlledScheduler` driven here.
 * Returns its result and the virtual milliseconds it took. Fails with {@link Stalled} when `self` waits for
 * something other than virtual time, or when virtual time passes `maxVirtualMillis`. Interrupting the caller
 * interrupts `self`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  maxVirtualMillis: number
): Effect.Effect<readonly [A, number], E | Stalled, R> =>
  Effect.gen(function*() {
    const clock = new VirtualClock()
    const scheduler = new Scheduler.ControlledScheduler()
    const live = yield* Effect.clock
    const runtime = yield* Effect.runtime<R>()
    const fiber = Runtime.runFork(runtime)(Effect.withClock(self, clock), { scheduler })
    const drain = () => {
      while (scheduler.tasks.buckets.length > 0) scheduler.step()
    }
    /** Runs for one slice of real time: "done", "again", or why it stalled. */
    const slice = Effect.sync((): "done" | "again" | Stalled => {
      const until = live.unsafeCurrentTimeMillis() + sliceMillis
      do {
        drain()
        if (fiber.unsafePoll() !== null) return "done"
        if (!clock.pending) {
          return new Stalled({ virtualMillis: clock.now, reason: "it waits for something other than virtual time" })
        }
        clock.advance()
        if (clock.now > maxVirtualMillis) {
          return new Stalled({
            virtualMillis: clock.now,
            reason: `virtual time passed its bound of ${maxVirtualMillis} ms`
          })
        }
      } while (live.unsafeCurrentTimeMillis() < until)
      return "again"
    })
    const stop = Effect.sync(() => {
      fiber.unsafeInterruptAsFork(fiber.id())
      // the interruption's finalizers run on the controlled scheduler too (bounded: a finalizer may sleep)
      for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) {
        drain()
        clock.advance()
      }
    })
    for (;;) {
      const outcome = yield* Effect.onInterrupt(slice, () => stop)
      if (outcome === "done") break
      if (outcome !== "again") {
        yield* stop
        return yield* outcome
      }
      // a macrotask: the real event loop runs (a signal, the progress line) before the next slice
      yield* Effect.onInterrupt(Effect.sleep(Duration.zero), () => stop)
    }
    const exit = fiber.unsafePoll() ?? Exit.die(new Error("the simulated fiber did not finish"))
    return [yield* exit, clock.now] as const
  })
