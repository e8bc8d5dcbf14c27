import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"

/** Effect's own tracer, the one in place when the application installed none; read on first use. */
let nativeTracer: Tracer.Tracer | undefined

const isNative = (tracer: Tracer.Tracer): boolean => {
  nativeTracer ??= Effect.runSync(Effect.tracer)
  return tracer === nativeTracer
}

/**
 * A span around a per-task operation, created only when the application installed a tracer.
 *
 * `Effect.fn` and `Effect.withSpan` create a span on every call even when nothing records it, and
 * that costs about 20 µs per call here (measured: `bench/README.md`), as much as the whole per-task
 * cost of a batch. The per-task entry points therefore trace only when a tracer (for example
 * `@effect/opentelemetry`'s) is installed; with one, the span is the same as `Effect.fn`'s.
 */
export const taskSpan = (name: string) =>
<A, E, R>(
  self: Effect.Effect<A, E, R>,
  /** The span's attributes, computed only when a span is made. */
  attributes?: () => Record<string, unknown>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    isNative(tracer)
      ? self
      : Effect.withSpan(self, name, attributes === undefined ? undefined : { attributes: attributes() })
  )
