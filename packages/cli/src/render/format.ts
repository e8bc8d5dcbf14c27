/**
 * Number formatting for the benchmark tables.
 *
 * @since 0.1.0
 */
import type { Summary } from "../bench/stats.js"

/**
 * A number with a fixed count of significant-looking decimals: more decimals for small values.
 *
 * @since 0.1.0
 * @category formatting
 */
export const number = (value: number, decimals?: number): string => {
  if (!Number.isFinite(value)) return String(value)
  const digits = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2)
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/**
 * A median with its range: `12.3 (11.9–13.0)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (value: Summary, decimals?: number): string =>
  `${number(value.median, decimals)} (${number(value.min, decimals)}–${number(value.max, decimals)})`

/**
 * A ratio as `1.23x`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const ratio = (value: number): string => Number.isFinite(value) ? `${number(value, 2)}x` : "n/a"

/**
 * A byte count in MiB.
 *
 * @since 0.1.0
 * @category formatting
 */
export const mebibytes = (bytes: number): string => `${number(bytes / (1024 * 1024), 1)} MiB`
