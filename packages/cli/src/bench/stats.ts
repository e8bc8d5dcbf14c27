/**
 * Summary statistics of repeated measurements: median with its spread (min and max).
 *
 * @since 0.1.0
 */

/**
 * The median, minimum and maximum of a set of samples, and how many there were.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: number
}

/**
 * The median of the samples (the mean of the two middle values for an even count); `NaN` when empty.
 *
 * @since 0.1.0
 * @category statistics
 */
export const median = (samples: ReadonlyArray<number>): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle]
  if (upper === undefined) return Number.NaN
  if (sorted.length % 2 === 1) return upper
  return ((sorted[middle - 1] ?? upper) + upper) / 2
}

/**
 * Summarises samples: median, min, max and count (`NaN` figures when there are none).
 *
 * @since 0.1.0
 * @category statistics
 */
export const summarize = (samples: ReadonlyArray<number>): Summary => ({
  median: median(samples),
  min: samples.length === 0 ? Number.NaN : Math.min(...samples),
  max: samples.length === 0 ? Number.NaN : Math.max(...samples),
  samples: samples.length
})

/**
 * Applies a function to every figure of a summary; `f` must be monotonic increasing (e.g. a unit change).
 *
 * @since 0.1.0
 * @category statistics
 */
export const mapSummary = (summary: Summary, f: (value: number) => number): Summary => ({
  median: f(summary.median),
  min: f(summary.min),
  max: f(summary.max),
  samples: summary.samples
})

/**
 * The spread of a summary relative to its median, e.g. `0.08` for max - min = 8% of the median.
 *
 * @since 0.1.0
 * @category statistics
 */
export const relativeSpread = (summary: Summary): number =>
  summary.median === 0 ? 0 : (summary.max - summary.min) / summary.median
