/**
 * Mapping the tool calls of recorded agents onto the built-in tools, per agent family: Claude Code (`Read`,
 * `Grep`, `Glob`, `LS`, `Bash`, `Edit`, `MultiEdit`, `Write`), Codex (`shell`, `shell_command`,
 * `exec_command`, `apply_patch`), OpenCode (`read`, `write`, `edit`, `list`, `glob`, `grep`, `bash`,
 * `apply_patch` with `patchText`), Gemini CLI (`read_file`, `list_directory`, `glob`, `search_file_content`,
 * `replace`, `write_file`, `run_shell_command`), SWE-agent (`open`, `find_file`, `search_dir`, `search_file`,
 * `create`, `str_replace_editor`), OpenHands (`execute_bash` / `terminal`, `str_replace_editor` /
 * `file_editor`), Cline / Roo (`read_file`, `write_to_file`, `replace_in_file`, `apply_diff`, `list_files`,
 * `search_files`, `execute_command`) and the generic names of chat-completion agents. `apply_patch` and
 * SEARCH/REPLACE diffs become writes and edits; an editor's `insert` and SWE-agent's line-range `edit N:M` become
 * a `splice` step (the file read, lines replaced or text put after a line, the file written). Every mapped step is checked against the built-in tool's
 * argument schema; a missing argument is named.
 *
 * @since 0.1.0
 */
import { Tools } from "effect-lanes/tools"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Json from "./json.js"
import * as Patch from "./patch.js"
import * as Rebase from "./rebase.js"

/**
 * One step of a mapped call: a built-in tool and its arguments, or `splice`: in the file at `path`, `remove`
 * lines from line index `at` (0 for the start, `null` for the end) replaced by `text`, which the replay runs
 * as a read and a write.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  readonly tool: Tools.ToolName | "splice"
  readonly args: Readonly<Record<string, unknown>>
}

/**
 * A recorded call mapped onto the built-in tools: the tool that decides its lane, and its steps, run in order
 * (one, except `MultiEdit`, `apply_patch` and SEARCH/REPLACE diffs, which become one step per edit).
 *
 * @since 0.1.0
 * @category models
 */
export interface Mapped {
  readonly tool: Tools.ToolName
  readonly steps: ReadonlyArray<Step>
}

type Family =
  | "read"
  | "ls"
  | "glob"
  | "grep"
  | "write"
  | "edit"
  | "multiedit"
  | "editor"
  | "patch"
  | "diff"
  | "bash"
  | "findFile"
  | "create"
  | "lines"

const names: ReadonlyArray<readonly [Family, ReadonlyArray<string>]> = [
  ["read", ["read", "read_file", "readfile", "view", "view_file", "open_file", "open", "cat"]],
  ["ls", ["ls", "list", "list_dir", "list_directory", "list_files", "listdir"]],
  ["glob", ["glob", "file_search", "find_files", "glob_files", "find"]],
  ["findFile", ["find_file"]],
  [
    "grep",
    [
      "grep",
      "search",
      "grep_search",
      "search_files",
      "ripgrep",
      "rg",
      "search_file_content",
      "search_dir",
      "search_file"
    ]
  ],
  ["write", ["write", "write_file", "create_file", "writefile", "write_to_file"]],
  ["create", ["create"]],
  ["edit", ["edit", "edit_file", "str_replace", "replace", "search_and_replace"]],
  ["diff", ["replace_in_file", "apply_diff"]],
  ["multiedit", ["multiedit", "multi_edit"]],
  ["lines", ["insert", "edit_lines"]],
  ["editor", ["str_replace_based_edit_tool", "str_replace_editor", "file_editor"]],
  ["patch", ["apply_patch", "patch"]],
  [
    "bash",
    [
      "bash",
      "shell",
      "shell_command",
      "local_shell",
      "exec_command",
      "run_terminal_cmd",
      "run_command",
      "execute_command",
      "execute_bash",
      "terminal",
      "run_shell_command"
    ]
  ]
]

const families: ReadonlyMap<string, Family> = new Map(
  names.flatMap(([family, aliases]) => aliases.map((alias) => [alias, family] as const))
)

const normalize = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, "_")

/**
 * The family of a recorded tool name, if any.
 *
 * @since 0.1.0
 * @category mapping
 */
export const familyOf = (name: string): Family | undefined => families.get(normalize(name))

type Input = Json.Obj

const pick = <A>(input: Input, keys: ReadonlyArray<string>, guard: (u: unknown) => u is A): A | undefined => {
  for (const key of keys) {
    const value = input[key]
    if (guard(value)) return value
  }
  return undefined
}

const isString = (u: unknown): u is string => typeof u === "string"
const isNumber = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)
const isNumeric = (u: unknown): u is number | string => isNumber(u) || (typeof u === "string" && /^\d+$/.test(u.trim()))
const isBoolean = (u: unknown): u is boolean => typeof u === "boolean"
const isTrue = (u: unknown): boolean => u === true || u === "true"
const toNumber = (u: number | string | undefined): number | undefined => u === undefined ? undefined : Number(u)

const pathKeys = [
  "file_path",
  "path",
  "filePath",
  "absolutePath",
  "absolute_path",
  "target_file",
  "filename",
  "file",
  "relative_path",
  "relative_workspace_path",
  "dir_path",
  "directory",
  "target_directory",
  "dir"
]

const defined = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

const step = (tool: Tools.ToolName, args: Record<string, unknown>): Mapped => ({
  tool,
  steps: [{ tool, args: defined(args) }]
})

const need = (value: string | undefined, what: string, keys: ReadonlyArray<string>): Either.Either<string, string> =>
  value === undefined ? Either.left(`no ${what} argument (looked for ${keys.join(", ")})`) : Either.right(value)

const readArgs = (input: Input, zeroBasedOffset: boolean) => {
  const offset = toNumber(pick(input, ["offset", "line", "line_number"], isNumeric))
  const start = toNumber(pick(input, ["start_line", "start_line_one_indexed", "view_range_start"], isNumeric))
  const end = toNumber(pick(input, ["end_line", "end_line_one_indexed_inclusive"], isNumeric))
  const range = input["view_range"]
  const [from, to] = Array.isArray(range) && range.length === 2 && range.every(isNumber)
    ? range
    : [undefined, undefined]
  const first = start ?? from
  const last = end ?? (to !== undefined && to >= 0 ? to : undefined)
  const skip = offset !== undefined
    ? Math.max(0, zeroBasedOffset ? offset : offset - 1)
    : first !== undefined
    ? Math.max(0, first - 1)
    : undefined
  const limit = toNumber(pick(input, ["limit"], isNumeric)) ??
    (first !== undefined && last !== undefined ? Math.max(1, last - first + 1) : undefined)
  return { offset: skip, limit }
}

const editStep = (path: string, input: Input): Step => {
  const expected = pick(input, ["expected_replacements"], isNumber)
  return {
    tool: "edit",
    args: defined({
      path,
      oldString: pick(input, ["old_string", "oldString", "old_str", "search"], isString),
      newString: pick(input, ["new_string", "newString", "new_str", "replace"], isString) ?? "",
      replaceAll: pick(input, ["replace_all", "replaceAll"], isBoolean) ??
        (expected !== undefined && expected > 1 ? true : undefined)
    })
  }
}

const fromPatch = (patch: string): Either.Either<Mapped, string> =>
  Either.map(Patch.applyPatch(patch), (operations): Mapped => {
    const steps = operations.map((op): Step =>
      op._tag === "write"
        ? { tool: "write", args: { path: op.path, content: op.content } }
        : { tool: "edit", args: { path: op.path, oldString: op.oldString, newString: op.newString } }
    )
    return { tool: steps.some((s) => s.tool === "edit") ? "edit" : "write", steps }
  })

/** PowerShell's switches that come before `-Command` and change nothing of what the command does. */
const powerShellSwitches = /^-(noprofile|nologo|noninteractive|nop|noni)$/i

const shellWords = (words: ReadonlyArray<unknown>): string | undefined => {
  if (!words.every(isString)) return undefined
  const all = words.filter(isString)
  const [first, flag, script] = all
  if (all.length === 3 && first !== undefined && /(^|\/)(ba|z|da)?sh$/.test(first) && /^-l?c$/.test(flag ?? "")) {
    return script
  }
  // Codex on Windows: ["powershell.exe", "-NoProfile", "-Command", "Get-Content a.ts"]
  if (first !== undefined && /(^|[\\/])(powershell|pwsh)(\.exe)?$/i.test(first)) {
    const rest = all.slice(1).filter((word) => !powerShellSwitches.test(word))
    if (rest.length === 2 && /^-(command|c)$/i.test(rest[0] ?? "")) return rest[1]
  }
  return all.map((word) => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`).join(" ")
}

const bashCall = (input: Input): Either.Either<Mapped, string> => {
  if (input["is_input"] === true) return Either.left("input sent to a running command has no built-in equivalent")
  const raw = input["command"] ?? input["cmd"]
  if (Array.isArray(raw) && raw[0] === "apply_patch" && typeof raw[1] === "string") return fromPatch(raw[1])
  const command = typeof raw === "string" ? raw : Array.isArray(raw) ? shellWords(raw) : undefined
  return Either.flatMap(need(command, "command", ["command", "cmd"]), (text) => {
    if (/^\s*apply_patch\s*<<\s*['"]?EOF/.test(text)) {
      const body = text.slice(text.indexOf("\n") + 1)
      return fromPatch(body)
    }
    const workdir = pick(input, ["workdir", "directory", "cwd", "dir_path"], isString)
    const timeout = pick(input, ["timeout"], isNumber) ?? pick(input, ["timeout_ms"], isNumber)
    return Either.right(step("bash", {
      command: text,
      timeout,
      ...(workdir === undefined ? {} : { workdir })
    }))
  })
}

const map1 = (family: Family, name: string, input: Input): Either.Either<Mapped, string> => {
  const path = pick(input, pathKeys, isString)
  const needPath = need(path, "path", pathKeys.slice(0, 6))
  switch (family) {
    case "read":
      return Either.map(
        needPath,
        (p) => step("read", { path: p, ...readArgs(input, normalize(name) === "read_file") })
      )
    case "ls":
      return Either.right(
        isTrue(input["recursive"])
          ? step("glob", { pattern: "**/*", path })
          : step("ls", { path })
      )
    case "glob":
      return Either.map(
        need(pick(input, ["pattern", "glob", "glob_pattern", "query"], isString), "pattern", ["pattern", "glob"]),
        // an absolute pattern (Claude Code on Windows writes C:\Users\me\p\src\**\*.ts): its folder is the path
        (pattern) =>
          Option.match(Rebase.splitGlob(pattern), {
            onNone: () => step("glob", { pattern, path }),
            onSome: (split) => step("glob", { pattern: split.pattern, path: split.folder })
          })
      )
    case "findFile":
      return Either.map(
        need(pick(input, ["file_name", "name", "pattern"], isString), "file name", ["file_name", "name"]),
        (file) => step("glob", { pattern: file.includes("/") || file.startsWith("**") ? file : `**/${file}`, path })
      )
    case "grep": {
      const regex = pick(input, ["pattern", "regex", "query", "search_term", "term"], isString)
      return Either.map(
        need(regex, "pattern", ["pattern", "regex", "query", "search_term"]),
        (pattern) =>
          step("grep", {
            pattern,
            path,
            glob: pick(input, ["glob", "include", "include_pattern", "file_pattern"], isString)
          })
      )
    }
    case "write":
      return Either.flatMap(needPath, (p) =>
        Either.map(
          need(pick(input, ["content", "contents", "file_text", "text"], isString), "content", [
            "content",
            "file_text"
          ]),
          (content) => step("write", { path: p, content })
        ))
    case "create":
      return Either.map(needPath, (p) => step("write", { path: p, content: pick(input, ["content"], isString) ?? "" }))
    case "edit": {
      // Claude Code's Edit with an empty old_string creates the file
      const created = pick(input, ["old_string", "oldString", "old_str"], isString) === ""
      return Either.map(needPath, (p) =>
        created
          ? step("write", { path: p, content: pick(input, ["new_string", "newString", "new_str"], isString) ?? "" })
          : { tool: "edit", steps: [editStep(p, input)] })
    }
    case "diff":
      return Either.flatMap(needPath, (p) =>
        Either.flatMap(
          need(pick(input, ["diff", "patch"], isString), "diff", ["diff"]),
          (diff) =>
            Either.map(Patch.searchReplace(diff), (blocks): Mapped => ({
              tool: "edit",
              steps: blocks.map(([oldString, newString]) => ({ tool: "edit", args: { path: p, oldString, newString } }))
            }))
        ))
    case "multiedit": {
      const edits = input["edits"]
      if (!Array.isArray(edits) || edits.length === 0) return Either.left("MultiEdit without edits")
      if (!edits.every(Json.isObj)) return Either.left("MultiEdit with a malformed edit")
      return Either.map(needPath, (p) => ({ tool: "edit", steps: edits.filter(Json.isObj).map((e) => editStep(p, e)) }))
    }
    case "editor": {
      const command = pick(input, ["command"], isString)
      if (command === "view") return Either.map(needPath, (p) => step("read", { path: p, ...readArgs(input, false) }))
      if (command === "create") {
        return Either.map(
          needPath,
          (p) => step("write", { path: p, content: pick(input, ["file_text"], isString) ?? "" })
        )
      }
      if (command === "str_replace") return Either.map(needPath, (p) => ({ tool: "edit", steps: [editStep(p, input)] }))
      if (command === "insert") {
        return pick(input, ["insert_line"], isNumeric) === undefined
          ? Either.left("editor insert without insert_line")
          : lines(input, needPath)
      }
      return Either.left(`editor command ${JSON.stringify(command ?? null)} has no built-in equivalent`)
    }
    case "patch": {
      const patch = typeof input["input"] === "string"
        ? input["input"]
        : pick(input, ["patchText", "patch", "diff", "content"], isString)
      return Either.flatMap(need(patch, "patch", ["input", "patchText", "patch"]), fromPatch)
    }
    case "lines":
      return lines(input, needPath)
    case "bash":
      return bashCall(input)
  }
}

/**
 * An insertion after `insert_line` (at the end without one) or a replacement of lines `start_line` to
 * `end_line` (1-based, inclusive) as a `splice` step.
 */
const lines = (input: Input, needPath: Either.Either<string, string>): Either.Either<Mapped, string> => {
  const text = pick(input, ["new_str", "text", "replacement"], isString)
  if (text === undefined) return Either.left("no text argument (looked for new_str, text)")
  const after = toNumber(pick(input, ["insert_line"], isNumeric))
  const start = toNumber(pick(input, ["start_line"], isNumeric))
  const end = toNumber(pick(input, ["end_line"], isNumeric)) ?? start
  const [at, remove] = start !== undefined && end !== undefined
    ? [Math.max(0, start - 1), Math.max(0, end - start + 1)]
    : [after ?? null, 0]
  return Either.map(
    needPath,
    (path) => ({ tool: "edit", steps: [{ tool: "splice", args: { path, at, remove, text } }] })
  )
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

const SpliceArgs = Schema.Struct({
  path: Schema.String,
  at: Schema.NullOr(Schema.NonNegativeInt),
  remove: Schema.NonNegativeInt,
  text: Schema.String
})

const check = (mapped: Mapped): Either.Either<Mapped, string> => {
  for (const s of mapped.steps) {
    const { workdir: _, ...args } = s.args
    if (s.tool === "splice") {
      if (!Schema.is(SpliceArgs)(args)) return Either.left("line edit: path, line numbers from 0 and text")
      continue
    }
    const result = Schema.decodeUnknownEither(schemas[s.tool])(args)
    if (Either.isLeft(result)) {
      const [first] = ParseResult.ArrayFormatter.formatErrorSync(result.left)
      const where = first === undefined || first.path.length === 0 ? "" : `${first.path.join(".")}: `
      return Either.left(`arguments do not fit the built-in ${s.tool} tool: ${where}${first?.message ?? "invalid"}`)
    }
  }
  return Either.right(mapped)
}

/**
 * Maps a recorded call onto the built-in tools, or says why it cannot be.
 *
 * @since 0.1.0
 * @category mapping
 */
export const map = (name: string, input: unknown): Either.Either<Mapped, string> => {
  const family = familyOf(name)
  if (family === undefined) return Either.left(`tool ${JSON.stringify(name)} has no built-in equivalent`)
  const fields = typeof input === "string" && family === "patch" ? { input } : input
  if (!Json.isObj(fields)) return Either.left(`${name}: arguments are not an object`)
  return Either.flatMap(map1(family, name, fields), check)
}

/**
 * The paths the steps of a mapped call name (and the `workdir` of a command).
 *
 * @since 0.1.0
 * @category mapping
 */
export const paths = (mapped: Mapped): ReadonlyArray<string> =>
  mapped.steps.flatMap((s) => [s.args["path"], s.args["workdir"]].filter(isString))
