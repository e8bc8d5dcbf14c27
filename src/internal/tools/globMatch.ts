/**
 * A small glob matcher: `*` (within a path segment), `**` (any number of segments), `?` (one character),
 * `{a,b}` (alternatives, nestable) and `\` (escape). Paths use `/` as separator.
 *
 * @since 0.1.0
 * @internal
 */
import * as Option from "effect/Option"

const regexSpecial = new Set([".", "+", "^", "$", "(", ")", "|", "[", "]", "\\", "*", "?", "{", "}", "/"])

const escape = (char: string): string => (regexSpecial.has(char) ? `\\${char}` : char)

const isSegmentStart = (pattern: string, index: number): boolean => {
  const previous = pattern[index - 1]
  return previous === undefined || previous === "/" || previous === "{" || previous === ","
}

const isSegmentEnd = (next: string | undefined): boolean => next === undefined || next === "}" || next === ","

/**
 * Compiles a glob into an anchored regular expression; `None` when its braces are unbalanced or it ends in a
 * lone `\`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const compile = (glob: string): Option.Option<RegExp> => {
  const pattern = glob.startsWith("./") ? glob.slice(2) : glob
  let source = ""
  let depth = 0
  let index = 0
  while (index < pattern.length) {
    const char = pattern.charAt(index)
    if (char === "*" && pattern[index + 1] === "*" && isSegmentStart(pattern, index)) {
      const next = pattern[index + 2]
      if (next === "/") {
        source += "(?:.*/)?"
        index += 3
        continue
      }
      if (isSegmentEnd(next)) {
        source += ".*"
        index += 2
        continue
      }
    }
    if (char === "*") {
      source += "[^/]*"
      while (pattern[index + 1] === "*") index++
    } else if (char === "?") {
      source += "[^/]"
    } else if (char === "{") {
      depth++
      source += "(?:"
    } else if (char === "}" && depth > 0) {
      depth--
      source += ")"
    } else if (char === "," && depth > 0) {
      source += "|"
    } else if (char === "\\") {
      const escaped = pattern[index + 1]
      if (escaped === undefined) return Option.none()
      source += escape(escaped)
      index++
    } else {
      source += escape(char)
    }
    index++
  }
  return depth === 0 ? Option.some(new RegExp(`^${source}$`, "s")) : Option.none()
}

/**
 * Whether a string is a glob `compile` accepts.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValid = (glob: string): boolean => Option.isSome(compile(glob))

/**
 * A predicate on `/`-separated relative paths. A glob without `/` is matched against the last path segment
 * when `basename` is set (as ripgrep's `--glob` does).
 *
 * @since 0.1.0
 * @category constructors
 */
export const matcher = (glob: string, options?: { readonly basename?: boolean }): (path: string) => boolean =>
  Option.match(compile(glob), {
    onNone: () => () => false,
    onSome: (regex) =>
      options?.basename === true && !glob.includes("/")
        ? (path: string) => regex.test(path.slice(path.lastIndexOf("/") + 1))
        : (path: string) => regex.test(path)
  })
