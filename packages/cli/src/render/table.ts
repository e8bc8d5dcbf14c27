/**
 * Plain-text tables for the terminal.
 *
 * @since 0.1.0
 */

/**
 * A table: a title, column headers, rows of cells, and optional notes printed below.
 *
 * @since 0.1.0
 * @category models
 */
export interface Table {
  readonly title: string
  readonly headers: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly notes?: ReadonlyArray<string>
}

const isNumeric = (cell: string): boolean => /^[-+]?[\d.,]+/.test(cell.trim())

/**
 * Renders a table with aligned columns: numeric cells to the right, text to the left.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (table: Table): string => {
  const widths = table.headers.map((header, column) =>
    Math.max(header.length, ...table.rows.map((row) => (row[column] ?? "").length))
  )
  const line = (cells: ReadonlyArray<string>, header: boolean) =>
    widths.map((width, column) => {
      const cell = cells[column] ?? ""
      return !header && column > 0 && isNumeric(cell) ? cell.padStart(width) : cell.padEnd(width)
    }).join("  ").trimEnd()
  const rule = widths.map((width) => "-".repeat(width)).join("  ")
  return [
    table.title,
    "",
    line(table.headers, true),
    rule,
    ...table.rows.map((row) => line(row, false)),
    ...(table.notes === undefined || table.notes.length === 0 ? [] : ["", ...table.notes])
  ].join("\n")
}
