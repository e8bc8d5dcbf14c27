/**
 * A progress line on stderr showing what the benchmark is running. On a terminal it redraws one line with a
 * bar; elsewhere (CI logs, pipes) it prints one line when a new part starts (the label up to its first `:`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Reports the benchmark's progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgressService {
  /** Shows that step `done` of `total` of the named work is running. */
  readonly update: (label: string, done: number, total: number) => Effect.Effect<void>
  /** Removes the progress line (before a table is printed). */
  readonly clear: Effect.Effect<void>
}

/**
 * The progress reporter.
 *
 * @since 0.1.0
 * @category tags
 */
export class Progress extends Context.Tag("effect-lanes/cli/Progress")<Progress, ProgressService>() {}

const barWidth = 24

const bar = (done: number, total: number): string => {
  const filled = total <= 0 ? barWidth : Math.min(barWidth, Math.round((done / total) * barWidth))
  return `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]`
}

/**
 * Writes to a stream: a redrawn bar when `isTTY`, otherwise one line per label.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (stream: NodeJS.WriteStream): ProgressService => {
  let shown = false
  let lastLabel = ""
  const columns = () => Math.max(40, (stream.columns ?? 100) - 1)
  return stream.isTTY
    ? {
      update: (label, done, total) =>
        Effect.sync(() => {
          const text = `${bar(done, total)} ${done}/${total} ${label}`.slice(0, columns())
          stream.write(`\r\x1b[2K${text}`)
          shown = true
        }),
      clear: Effect.sync(() => {
        if (shown) stream.write("\r\x1b[2K")
        shown = false
      })
    }
    : {
      update: (label) =>
        Effect.sync(() => {
          const section = label.split(":")[0] ?? label
          if (section !== lastLabel) stream.write(`... ${section}\n`)
          lastLabel = section
        }),
      clear: Effect.void
    }
}

/**
 * Progress on the process's stderr.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStderr: Layer.Layer<Progress> = Layer.sync(Progress, () => make(process.stderr))

/**
 * No progress output (tests).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSilent: Layer.Layer<Progress> = Layer.succeed(Progress, {
  update: () => Effect.void,
  clear: Effect.void
})

/**
 * Reports a step through the current {@link Progress} service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const update = (label: string, done: number, total: number): Effect.Effect<void, never, Progress> =>
  Effect.flatMap(Progress, (progress) => progress.update(label, done, total))

/**
 * Clears the progress line through the current {@link Progress} service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const clear: Effect.Effect<void, never, Progress> = Effect.flatMap(Progress, (progress) => progress.clear)
