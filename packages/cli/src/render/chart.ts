/**
 * A plain SVG line chart of the turn speed-up: speed-up against N for each mode, with the ideal lines
 * N / ceil(N / c). Written by code, readable in any browser or image viewer.
 *
 * @since 0.1.0
 */
import * as TurnModes from "../bench/turnModes.js"
import type * as TurnSpeedup from "../bench/turnSpeedup.js"
import * as Format from "./format.js"

const width = 820
const height = 460
const margin = { left: 64, right: 260, top: 48, bottom: 56 }
const colors = ["#555555", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b"]

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const fixed = (value: number): string => Number(value.toFixed(1)).toString()

interface Series {
  readonly label: string
  readonly color: string
  /** A stroke-dasharray for the ideal lines. */
  readonly dash: string | undefined
  readonly points: ReadonlyArray<readonly [number, number]>
}

const niceStep = (max: number): number => max <= 4 ? 0.5 : max <= 10 ? 1 : max <= 20 ? 2 : 5

/**
 * The SVG document for a turn speed-up result.
 *
 * @since 0.1.0
 * @category rendering
 */
export const svg = (result: TurnSpeedup.Result): string => {
  const sizes = result.sizes.map((size) => size.calls)
  const first = result.sizes[0]
  const modes = first?.modes ?? []
  const concurrencies = Array.from(new Set(modes.map((mode) => mode.concurrency).filter((c) => c > 1))).sort((a, b) =>
    a - b
  )
  const series: Array<Series> = [
    ...concurrencies.map((c, index): Series => ({
      label: `ideal, concurrency ${c}`,
      color: index % 2 === 0 ? "#888888" : "#bbbbbb",
      dash: index % 2 === 0 ? "6 4" : "2 3",
      points: sizes.map((n) => [n, TurnModes.ideal(n, c)] as const)
    })),
    ...modes.map((mode, index): Series => ({
      label: mode.label,
      color: colors[index % colors.length] ?? "#000000",
      dash: undefined,
      points: result.sizes.flatMap((size) => {
        const row = size.modes.find((candidate) => candidate.mode === mode.mode)
        return row !== undefined && Number.isFinite(row.speedup) ? [[size.calls, row.speedup] as const] : []
      })
    }))
  ]
  const xMin = Math.min(...sizes)
  const xMax = Math.max(...sizes)
  const yTop = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)))
  const step = niceStep(yTop)
  const yMax = Math.ceil(yTop / step) * step
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const x = (n: number) => margin.left + (xMax === xMin ? plotWidth / 2 : ((n - xMin) / (xMax - xMin)) * plotWidth)
  const y = (v: number) => margin.top + plotHeight - (v / yMax) * plotHeight
  const lines: Array<string> = []
  lines.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${
      escape(`Turn speed-up over sequential, ${Format.number(result.latencyMillis, 0)} ms per call`)
    }</text>`
  )
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    lines.push(
      `<line x1="${margin.left}" y1="${fixed(y(v))}" x2="${margin.left + plotWidth}" y2="${fixed(y(v))}" ` +
        `stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 8}" y="${fixed(y(v) + 4)}" text-anchor="end">${fixed(v)}x</text>`
    )
  }
  for (const n of sizes) {
    lines.push(
      `<line x1="${fixed(x(n))}" y1="${margin.top + plotHeight}" x2="${fixed(x(n))}" ` +
        `y2="${margin.top + plotHeight + 5}" stroke="#333333"/>`,
      `<text x="${fixed(x(n))}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${n}</text>`
    )
  }
  lines.push(
    `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" ` +
      `y2="${margin.top + plotHeight}" stroke="#333333"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${
      margin.top + plotHeight
    }" stroke="#333333"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${
      height - 14
    }" text-anchor="middle">N (read calls in the turn)</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">speed-up</text>`
  )
  series.forEach((s, index) => {
    const points = s.points.map(([n, v]) => `${fixed(x(n))},${fixed(y(v))}`).join(" ")
    const dash = s.dash === undefined ? "" : ` stroke-dasharray="${s.dash}"`
    lines.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`)
    if (s.dash === undefined) {
      for (const [n, v] of s.points) {
        lines.push(`<circle cx="${fixed(x(n))}" cy="${fixed(y(v))}" r="3" fill="${s.color}"/>`)
      }
    }
    const ly = margin.top + 10 + index * 20
    const lx = width - margin.right + 16
    lines.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escape(s.label)}</text>`
    )
  })
  lines.push("</svg>", "")
  return lines.join("\n")
}
