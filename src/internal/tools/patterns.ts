/**
 * Model-written patterns, compiled for a linear-time engine: regular expressions and globs both run on RE2 (the
 * `re2` package), so no pattern can make a match take more than linear time in the input.
 *
 * Globs are parsed by picomatch (`*`, `**`, `?`, `[...]`, `{a,b}`, `\` escapes; dot files included). picomatch
 * emits JavaScript regular expressions with three kinds of lookahead that RE2 lacks; all three only exclude
 * `.`/`..` segments or the empty string, which the walk's normalised, non-empty relative paths never contain, so
 * they are removed. A glob whose expression still needs lookaround (negated extglobs such as `!(a)`) is refused.
 *
 * @internal
 */
import * as Option from "effect/Option"
import picomatch from "picomatch"
import RE2 from "re2"

/** The longest pattern accepted, in UTF-16 code units. */
export const maxPatternLength = 1000

// What picomatch 4 emits with `{ dot: true }` that RE2 cannot run, and that never matters for walk paths.
const dotSegmentLookaheads = [
  "(?!(?:^|\\/)\\.{1,2}(?:\\/|$))",
  "(?!\\.{1,2}(?:\\/|$))",
  "(?=.)"
]

const hasLookaround = (source: string): boolean => /\(\?<?[=!]/.test(source)

/**
 * A regular expression on RE2; `None` when the source is not valid RE2 syntax (backreferences and lookaround
 * are not) or is longer than `maxPatternLength`.
 *
 * @internal
 */
export const regex = (source: string): Option.Option<RE2> => {
  if (source.length > maxPatternLength) return Option.none()
  try {
    return Option.some(new RE2(source, "u"))
  } catch {
    return Option.none()
  }
}

/**
 * A glob compiled to an anchored RE2 expression over `/`-separated relative paths; `None` when picomatch refuses
 * it (unbalanced braces or brackets) or it needs lookaround.
 *
 * @internal
 */
export const glob = (pattern: string): Option.Option<RE2> => {
  if (pattern.length > maxPatternLength) return Option.none()
  let compiled: RegExp
  try {
    compiled = picomatch.makeRe(pattern, { dot: true, nonegate: true, strictBrackets: true })
  } catch {
    return Option.none()
  }
  const source = dotSegmentLookaheads.reduce((current, lookahead) => current.split(lookahead).join(""), compiled.source)
  if (hasLookaround(source)) return Option.none()
  try {
    return Option.some(new RE2(source, compiled.flags.includes("i") ? "iu" : "u"))
  } catch {
    return Option.none()
  }
}

/**
 * Whether a string is a glob `glob` accepts.
 *
 * @internal
 */
export const isGlob = (pattern: string): boolean => Option.isSome(glob(pattern))

/**
 * A predicate on `/`-separated relative paths. A glob without `/` is matched against the last path segment
 * when `basename` is set (as ripgrep's `--glob` does). An invalid glob matches nothing.
 *
 * @internal
 */
export const matcher = (pattern: string, options?: { readonly basename?: boolean }): (path: string) => boolean =>
  Option.match(glob(pattern), {
    onNone: () => () => false,
    onSome: (compiled) =>
      options?.basename === true && !pattern.includes("/")
        ? (path: string) => compiled.test(path.slice(path.lastIndexOf("/") + 1))
        : (path: string) => compiled.test(path)
  })
