/**
 * Mapping the tool calls of recorded agents onto the built-in tools: the names agents use (`Read`,
 * `read_file`, `Grep`, `Glob`, `LS`, `Bash`, `Edit`, `Write`, `MultiEdit`, `str_replace_based_edit_tool`, ...)
 * and their argument names (`file_path`, `old_string`, `contents`, ...). Every mapped step is checked against
 * the built-in tool's argument schema, so a call that would be rejected is reported at mapping time instead.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Tools from "../Tools.js"

/**
 * A recorded call mapped onto a built-in tool: the tool, and the argument objects of its steps (one, except
 * `MultiEdit`, which becomes one `edit` per edit, run in order).
 *
 * @since 0.1.0
 * @category models
 */
export interface Mapped {
  readonly tool: Tools.ToolName
  readonly steps: ReadonlyArray<Readonly<Record<string, unknown>>>
}

type Family = Tools.ToolName | "multiedit" | "editor"

const names: ReadonlyArray<readonly [Family, ReadonlyArray<string>]> = [
  ["read", ["read", "read_file", "readfile", "view", "view_file", "open_file", "cat"]],
  ["ls", ["ls", "list", "list_dir", "list_directory", "list_files", "listdir"]],
  ["glob", ["glob", "file_search", "find_files", "glob_files", "find"]],
  ["grep", ["grep", "search", "grep_search", "search_files", "ripgrep", "rg"]],
  ["write", ["write", "write_file", "create_file", "writefile"]],
  ["edit", ["edit", "edit_file", "str_replace", "replace", "replace_in_file"]],
  ["multiedit", ["multiedit", "multi_edit"]],
  ["editor", ["str_replace_based_edit_tool", "str_replace_editor"]],
  ["bash", ["bash", "shell", "run_terminal_cmd", "run_command", "execute_command", "terminal", "run_shell_command"]]
]

const families: ReadonlyMap<string, Family> = new Map(
  names.flatMap(([family, aliases]) => aliases.map((alias) => [alias, family] as const))
)

const normalize = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, "_")

/**
 * The built-in tool family of a recorded tool name, if any.
 *
 * @since 0.1.0
 * @category mapping
 */
export const familyOf = (name: string): Family | undefined => families.get(normalize(name))

type Input = Readonly<Record<string, unknown>>

const decodeInput = Schema.decodeUnknownOption(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const pick = <A>(input: Input, keys: ReadonlyArray<string>, guard: (u: unknown) => u is A): A | undefined => {
  for (const key of keys) {
    const value = input[key]
    if (guard(value)) return value
  }
  return undefined
}

const isString = (u: unknown): u is string => typeof u === "string"
const isNumber = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)
const isBoolean = (u: unknown): u is boolean => typeof u === "boolean"

const pathKeys = [
  "file_path",
  "path",
  "filePath",
  "target_file",
  "filename",
  "file",
  "absolute_path",
  "relative_path",
  "relative_workspace_path",
  "dir_path",
  "directory",
  "target_directory"
]

const defined = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

const readArgs = (input: Input) => {
  const offset = pick(input, ["offset"], isNumber)
  const start = pick(input, ["start_line", "start_line_one_indexed", "view_range_start"], isNumber)
  const end = pick(input, ["end_line", "end_line_one_indexed_inclusive"], isNumber)
  const skip = offset !== undefined ? Math.max(0, offset - 1) : start !== undefined ? Math.max(0, start - 1) : undefined
  const limit = pick(input, ["limit"], isNumber) ??
    (start !== undefined && end !== undefined ? Math.max(1, end - start + 1) : undefined)
  return defined({ path: pick(input, pathKeys, isString), offset: skip, limit })
}

const editArgs = (path: string | undefined, input: Input) =>
  defined({
    path,
    oldString: pick(input, ["old_string", "oldString", "old_str", "search"], isString),
    newString: pick(input, ["new_string", "newString", "new_str", "replace"], isString),
    replaceAll: pick(input, ["replace_all", "replaceAll"], isBoolean)
  })

const steps = (family: Family, input: Input): Either.Either<Mapped, string> => {
  const path = pick(input, pathKeys, isString)
  switch (family) {
    case "read":
      return Either.right({ tool: "read", steps: [readArgs(input)] })
    case "ls":
      return Either.right({ tool: "ls", steps: [defined({ path })] })
    case "glob":
      return Either.right({
        tool: "glob",
        steps: [defined({ pattern: pick(input, ["pattern", "glob", "glob_pattern", "query"], isString), path })]
      })
    case "grep":
      return Either.right({
        tool: "grep",
        steps: [
          defined({
            pattern: pick(input, ["pattern", "query", "regex"], isString),
            path,
            glob: pick(input, ["glob", "include", "include_pattern", "file_pattern"], isString)
          })
        ]
      })
    case "write":
      return Either.right({
        tool: "write",
        steps: [defined({ path, content: pick(input, ["content", "contents", "file_text", "text"], isString) })]
      })
    case "edit":
      return Either.right({ tool: "edit", steps: [editArgs(path, input)] })
    case "multiedit": {
      const edits = input["edits"]
      if (!Array.isArray(edits) || edits.length === 0) return Either.left("MultiEdit without edits")
      const mapped = edits.map((edit) => Option.map(decodeInput(edit), (fields) => editArgs(path, fields)))
      return Option.match(Option.all(mapped), {
        onNone: () => Either.left("MultiEdit with a malformed edit"),
        onSome: (all) => Either.right({ tool: "edit", steps: all })
      })
    }
    case "editor": {
      const command = pick(input, ["command"], isString)
      if (command === "view") return Either.right({ tool: "read", steps: [readArgs(input)] })
      if (command === "create") {
        return Either.right({
          tool: "write",
          steps: [defined({ path, content: pick(input, ["file_text"], isString) })]
        })
      }
      if (command === "str_replace") return Either.right({ tool: "edit", steps: [editArgs(path, input)] })
      return Either.left(`editor command ${JSON.stringify(command ?? null)} has no built-in equivalent`)
    }
    case "bash":
      return Either.right({
        tool: "bash",
        steps: [
          defined({ command: pick(input, ["command", "cmd"], isString), timeout: pick(input, ["timeout"], isNumber) })
        ]
      })
  }
}

const schemas: { readonly [N in Tools.ToolName]: Schema.Schema.AnyNoContext } = {
  read: Tools.ReadArgs,
  ls: Tools.LsArgs,
  glob: Tools.GlobArgs,
  grep: Tools.GrepArgs,
  write: Tools.WriteArgs,
  edit: Tools.EditArgs,
  bash: Tools.BashArgs
}

const check = (mapped: Mapped): Either.Either<Mapped, string> => {
  const validate = Schema.decodeUnknownEither(schemas[mapped.tool])
  for (const step of mapped.steps) {
    const result = validate(step)
    if (Either.isLeft(result)) {
      return Either.left(`arguments do not fit the built-in ${mapped.tool} tool: ${result.left.message.split("\n")[0]}`)
    }
  }
  return Either.right(mapped)
}

/**
 * Maps a recorded call onto a built-in tool, or says why it cannot be.
 *
 * @since 0.1.0
 * @category mapping
 */
export const map = (name: string, input: unknown): Either.Either<Mapped, string> => {
  const family = familyOf(name)
  if (family === undefined) return Either.left(`tool ${JSON.stringify(name)} has no built-in equivalent`)
  return Option.match(decodeInput(input), {
    onNone: () => Either.left("arguments are not an object"),
    onSome: (fields) => Either.flatMap(steps(family, fields), check)
  })
}

/**
 * Rewrites the `path` of every step (e.g. to rebase absolute paths); a `None` from `rebase` rejects the call.
 *
 * @since 0.1.0
 * @category mapping
 */
export const mapPaths = (
  mapped: Mapped,
  rebase: (path: string) => Option.Option<string>
): Either.Either<Mapped, string> => {
  const out: Array<Readonly<Record<string, unknown>>> = []
  for (const step of mapped.steps) {
    const path = step["path"]
    if (typeof path !== "string") {
      out.push(step)
      continue
    }
    const rebased = rebase(path)
    if (Option.isNone(rebased)) return Either.left(`path ${path} is outside the replay directory`)
    out.push({ ...step, path: rebased.value })
  }
  return Either.right({ tool: mapped.tool, steps: out })
}

/**
 * The paths the steps of a mapped call name.
 *
 * @since 0.1.0
 * @category mapping
 */
export const paths = (mapped: Mapped): ReadonlyArray<string> =>
  mapped.steps.flatMap((step) => typeof step["path"] === "string" ? [step["path"]] : [])
