/**
 * The edit formats agents write, turned into plain writes and `oldString` -> `newString` edits: Codex's
 * `apply_patch` envelope (`*** Begin Patch`, `*** Add File:` / `*** Update File:` with `@@` hunks) and the
 * SEARCH/REPLACE blocks of Cline (`------- SEARCH` / `=======` / `+++++++ REPLACE`) and Roo / Aider
 * (`<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE`, optionally `:start_line:` lines).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * One file operation of a patch.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation =
  | { readonly _tag: "write"; readonly path: string; readonly content: string }
  | { readonly _tag: "edit"; readonly path: string; readonly oldString: string; readonly newString: string }

const lines = (text: string): Array<string> => text.replace(/\r\n/g, "\n").split("\n")

/**
 * Parses an `apply_patch` envelope into writes (added files) and edits (one per hunk of an updated file).
 * Deleted and moved files have no built-in equivalent and reject the patch.
 *
 * @since 0.1.0
 * @category parsing
 */
export const applyPatch = (patch: string): Either.Either<ReadonlyArray<Operation>, string> => {
  const all = lines(patch)
  const start = all.findIndex((line) => line.trim() === "*** Begin Patch")
  if (start < 0) return Either.left("apply_patch input without *** Begin Patch")
  const operations: Array<Operation> = []
  let i = start + 1
  const header = (line: string, name: string) => line.startsWith(`*** ${name}: `) ? line.slice(name.length + 6) : null
  while (i < all.length) {
    const line = all[i] ?? ""
    if (line.trim() === "*** End Patch") return Either.right(operations)
    const added = header(line, "Add File")
    const updated = header(line, "Update File")
    if (header(line, "Delete File") !== null) return Either.left("apply_patch deletes a file (no built-in delete)")
    if (added !== null) {
      const body: Array<string> = []
      i++
      while (i < all.length && (all[i] ?? "").startsWith("+")) {
        body.push((all[i] ?? "").slice(1))
        i++
      }
      operations.push({ _tag: "write", path: added.trim(), content: body.length === 0 ? "" : `${body.join("\n")}\n` })
      continue
    }
    if (updated !== null) {
      i++
      if (header(all[i] ?? "", "Move to") !== null) return Either.left("apply_patch moves a file (no built-in move)")
      let old: Array<string> = []
      let next: Array<string> = []
      const flush = (): string | undefined => {
        if (old.length === 0 && next.length === 0) return undefined
        if (old.length === 0) return "apply_patch hunk without context or removed lines"
        operations.push({ _tag: "edit", path: updated.trim(), oldString: old.join("\n"), newString: next.join("\n") })
        old = []
        next = []
        return undefined
      }
      const inHunks = () => i < all.length && (!(all[i] ?? "").startsWith("*** ") || all[i] === "*** End of File")
      while (inHunks()) {
        const body = all[i] ?? ""
        i++
        if (body === "*** End of File") continue
        if (body.startsWith("@@")) {
          const problem = flush()
          if (problem !== undefined) return Either.left(problem)
          continue
        }
        const marker = body[0]
        const text = body.slice(1)
        if (marker === "-") old.push(text)
        else if (marker === "+") next.push(text)
        else if (marker === " " || body === "") {
          old.push(text)
          next.push(text)
        } else return Either.left(`apply_patch line not a hunk line: ${JSON.stringify(body.slice(0, 40))}`)
      }
      const problem = flush()
      if (problem !== undefined) return Either.left(problem)
      continue
    }
    if (line.trim() === "") {
      i++
      continue
    }
    return Either.left(`apply_patch line not understood: ${JSON.stringify(line.slice(0, 40))}`)
  }
  return Either.left("apply_patch input without *** End Patch")
}

const searchStart = /^(?:-{3,}|<{3,}) ?SEARCH\s*$/
const divider = /^={3,}\s*$/
const replaceEnd = /^(?:\+{3,}|>{3,}) ?REPLACE\s*$/

/**
 * Parses SEARCH/REPLACE blocks into `[search, replace]` pairs, in order.
 *
 * @since 0.1.0
 * @category parsing
 */
export const searchReplace = (diff: string): Either.Either<ReadonlyArray<readonly [string, string]>, string> => {
  const blocks: Array<readonly [string, string]> = []
  let state: "outside" | "search" | "replace" = "outside"
  let search: Array<string> = []
  let replace: Array<string> = []
  for (const line of lines(diff)) {
    if (state === "outside") {
      if (searchStart.test(line)) {
        state = "search"
        search = []
        replace = []
      }
    } else if (state === "search") {
      if (divider.test(line)) state = "replace"
      else if (search.length === 0 && /^:start_line:\s*\d+\s*$/.test(line)) continue
      else if (search.length === 0 && /^-{3,}\s*$/.test(line)) continue
      else search.push(line)
    } else if (replaceEnd.test(line)) {
      blocks.push([search.join("\n"), replace.join("\n")])
      state = "outside"
    } else replace.push(line)
  }
  if (state !== "outside") return Either.left("SEARCH/REPLACE block not closed")
  if (blocks.length === 0) return Either.left("diff has no SEARCH/REPLACE block")
  if (blocks.some(([text]) => text === "")) return Either.left("SEARCH/REPLACE block with an empty SEARCH part")
  return Either.right(blocks)
}
