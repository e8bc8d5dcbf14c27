import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"

/** Effect's own tracer, the one in place when the application installed none. */
const nativeTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/**
 * A span around a per-task operation, created only when the application installed a tracer.
 *
 * `Effect.fn` and `Effect.withSpan` create a span on every call even when nothing records it, and
 * that costs about 20 µs per call here (measured: `bench/README.md`), several times the whole
 * per-task cost of the queue. The per-task entry points therefore trace only when a tracer (for
 * example `@effect/opentelemetry`'s) is installed; with one, the span is the same as `Effect.fn`'s.
 */
export const taskSpan = (name: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => tracer === nativeTracer ? self : Effect.withSpan(self, name))
