/**
 * The program's `Console`: Effect's default one, with two corrections to what `@effect/cli` 0.77 prints.
 *
 * - Its help is always rendered with ANSI styles (`HelpDoc.toAnsiText` renders `pretty`; neither `HelpDoc` nor
 *   `CliConfig` offers plain text), so when the stream is not a terminal, or `NO_COLOR` is set, the escape
 *   codes are stripped (`util.stripVTControlCharacters`).
 * - Every text option's help starts with the placeholder "A user-defined piece of text." (the `Text`
 *   primitive's fixed help, which neither `withDescription` nor `withSchema` replaces); the line is removed, the
 *   option's own description follows it.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { stripVTControlCharacters } from "node:util"

const placeholder = /^[ \t]*A user-defined piece of text\.\r?\n(?:[ \t]*\r?\n)?/gm

/**
 * Cleans a printed text: without the placeholder line, and without escape codes when `plain`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const clean = (text: string, plain: boolean): string => {
  const stripped = text.replace(placeholder, "")
  return plain ? stripVTControlCharacters(stripped) : stripped
}

/**
 * Whether a stream gets plain text: not a terminal, or `NO_COLOR` set (https://no-color.org).
 *
 * @since 0.1.0
 * @category rendering
 */
export const isPlain = (stream: { readonly isTTY?: boolean }): boolean =>
  stream.isTTY !== true || (process.env.NO_COLOR ?? "") !== ""

const cleaned = (args: ReadonlyArray<unknown>, plain: boolean): Array<unknown> =>
  args.map((arg) => typeof arg === "string" ? clean(arg, plain) : arg)

/**
 * The default console with `log` (stdout) and `error` (stderr) cleaned.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.map(Effect.console, (base) => {
    const stdout = isPlain(process.stdout)
    const stderr = isPlain(process.stderr)
    const console: Console.Console = {
      ...base,
      log: (...args) => base.log(...cleaned(args, stdout)),
      error: (...args) => base.error(...cleaned(args, stderr))
    }
    return Console.setConsole(console)
  })
)
