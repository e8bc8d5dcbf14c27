/**
 * SWE-agent trajectories (`*.traj`: `{ trajectory, history, info }`, each trajectory step with its `action`
 * command line, `observation`, `execution_time` in seconds and `state` with the `working_dir`), and
 * mini-swe-agent trajectories (`*.traj.json`: `{ messages, info }` or a bare message list, each assistant
 * message running one fenced `mswea_bash_command` / `bash` block). Both agents run one action per model
 * response, so every turn has one call. An action's arguments may span lines: `str_replace_editor`'s quoted
 * `--file_text`, `--old_str`, `--new_str` are read whole, `--view_range` as `'[1, 50]'` or `1 50`; the windowed
 * tools' `edit N:M` … `end_of_edit`, `edit 'search' 'replace'` and `insert 'text' [line]` act on the file the
 * agent has open, which each step's `state.open_file` names.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { type Document, entries, type Reader } from "./document.js"

/**
 * Splits a command line into words, honouring single quotes, double quotes and backslashes.
 *
 * @since 0.1.0
 * @category parsing
 */
export const words = (line: string): Array<string> => {
  const out: Array<string> = []
  let word: string | undefined
  let quote: "'" | "\"" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? ""
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === "\"" && i + 1 < line.length) word = (word ?? "") + (line[++i] ?? "")
      else word = (word ?? "") + c
    } else if (c === "'" || c === "\"") {
      quote = c
      word ??= ""
    } else if (c === "\\" && i + 1 < line.length) word = (word ?? "") + (line[++i] ?? "")
    else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word)
      word = undefined
    } else word = (word ?? "") + c
  }
  if (word !== undefined) out.push(word)
  return out
}

const integer = (word: string | undefined): number | undefined =>
  word !== undefined && /^-?\d+$/.test(word) ? Number(word) : undefined

const flags = (rest: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? ""
    if (!word.startsWith("--")) continue
    const key = word.slice(2)
    const value = rest[++i] ?? ""
    if (key === "view_range") {
      const parsed = Json.parse(value)
      const [from, to] = [integer(value), integer(rest[i + 1])]
      if (Option.isSome(parsed) && Array.isArray(parsed.value)) out[key] = parsed.value
      else if (from !== undefined && to !== undefined) {
        out[key] = [from, to]
        i++
      }
    } else out[key] = key === "insert_line" ? integer(value) ?? value : value
  }
  return out
}

/**
 * The tool name and arguments of a SWE-agent action line; anything that is not one of its tools is a shell
 * command.
 *
 * @since 0.1.0
 * @category parsing
 */
export const action = (
  text: string,
  /** The file the agent has open (the windowed tools edit it). */
  openFile: string | undefined = undefined
): { readonly name: string; readonly input: Json.Obj } => {
  const trimmed = text.trim()
  const [first = ""] = trimmed.split("\n")
  const [command = "", ...rest] = words(first)
  const path = openFile === undefined ? {} : { path: openFile }
  switch (command) {
    case "open":
      return { name: "open", input: { path: rest[0] ?? "" } }
    case "find_file":
      return { name: "find_file", input: { file_name: rest[0] ?? "", ...(rest[1] ? { path: rest[1] } : {}) } }
    case "search_dir":
      return { name: "search_dir", input: { search_term: rest[0] ?? "", ...(rest[1] ? { path: rest[1] } : {}) } }
    case "search_file":
      return { name: "search_file", input: { search_term: rest[0] ?? "", ...(rest[1] ? { path: rest[1] } : {}) } }
    case "create":
      return { name: "create", input: { path: rest[0] ?? "" } }
    case "edit": {
      // `edit N:M` then the new lines up to `end_of_edit`; or the windowed `edit 'search' 'replace' [True]`
      const range = /^(\d+):(\d+)$/.exec(rest[0] ?? "")
      if (range !== null) {
        const body = trimmed.split("\n").slice(1)
        const end = body.lastIndexOf("end_of_edit")
        return {
          name: "edit_lines",
          input: {
            ...path,
            start_line: Number(range[1]),
            end_line: Number(range[2]),
            text: (end < 0 ? body : body.slice(0, end)).join("\n")
          }
        }
      }
      const [, search = "", replace = "", all] = words(trimmed)
      return { name: "edit", input: { ...path, old_str: search, new_str: replace, replace_all: all === "True" } }
    }
    case "insert": {
      // the windowed `insert 'text' [line]`: after the line, else at the end of the open file
      const [, inserted = "", line] = words(trimmed)
      const after = line !== undefined && /^\d+$/.test(line) ? { insert_line: Number(line) } : {}
      return { name: "insert", input: { ...path, text: inserted, ...after } }
    }
    case "str_replace_editor": {
      // the quoted arguments may hold new lines: split the whole action, not its first line
      const [, subcommand = "", path = "", ...options] = words(trimmed)
      return { name: "str_replace_editor", input: { command: subcommand, path, ...flags(options) } }
    }
    case "goto":
    case "scroll_up":
    case "scroll_down":
    case "submit":
    case "exit_forfeit":
    case "exit_cost":
    case "exit_context":
    case "exit_error":
    case "exit_format":
      return { name: command, input: {} }
    default:
      return { name: "bash", input: { command: trimmed } }
  }
}

/**
 * @since 0.1.0
 * @category readers
 */
export const sweAgent: Reader = {
  format: "swe-agent",
  detect: (document) =>
    document.container === "json" &&
    Json.arr(document.value, "trajectory").some((step) => Json.str(step, "action") !== undefined),
  read: (document) => {
    const builder = new Model.Builder()
    let root: string | undefined
    const steps = document.container === "json" ? Json.arr(document.value, "trajectory") : []
    // the file open before each step: the previous step's state says it (`n/a` for none)
    let openFile: string | undefined
    steps.forEach((step, s) => {
      const text = Json.str(step, "action")
      if (text === undefined || text.trim() === "") {
        builder.skip(`step ${s + 1}`, "step without an action")
        return
      }
      const rawState = Json.isObj(step) ? step["state"] : undefined
      const state = typeof rawState === "string" ? Option.getOrUndefined(Json.parse(rawState)) : rawState
      root ??= Json.str(state, "working_dir")
      const open = Json.str(state, "open_file")
      const now = open === undefined || open === "n/a" ? undefined : open
      // before its first state, the step's own (after it) names the file it edits
      const { input, name } = action(text, openFile ?? now)
      openFile = now ?? openFile
      const id = `step-${s + 1}`
      builder.call({ id, name, input, group: id })
      const seconds = Json.num(step, "execution_time")
      builder.duration(id, seconds === undefined ? undefined : seconds * 1000, "execution_time")
    })
    return { turns: builder.build(), skipped: builder.skipped, root: Option.fromNullable(root) }
  }
}

const fence = /```(?:mswea_bash_command|bash|sh)\s*\n([\s\S]*?)\n```/

const miniMessages = (document: Document) =>
  entries(document, ["messages"]).filter(({ value }) => Json.str(value, "role") !== undefined)

/**
 * @since 0.1.0
 * @category readers
 */
export const mini: Reader = {
  format: "mini-swe-agent",
  detect: (document) =>
    (document.container === "json" &&
      (Json.str(document.value, "trajectory_format") ?? "").startsWith("mini-swe-agent")) ||
    miniMessages(document).some(({ value }) =>
      Json.str(value, "role") === "assistant" && (Json.str(value, "content") ?? "").includes("```mswea_bash_command")
    ),
  read: (document) => {
    const builder = new Model.Builder()
    let open: string | undefined
    miniMessages(document).forEach(({ value }, m) => {
      const at = Json.time(Json.str(value, "timestamp") ?? Json.str(Json.obj(value, "extra"), "timestamp"))
      if (Json.str(value, "role") !== "assistant") {
        if (open !== undefined) builder.finish(open, at)
        open = undefined
        builder.end()
        return
      }
      const match = fence.exec(Json.str(value, "content") ?? "")
      if (match === null) return
      open = `message-${m + 1}`
      builder.call({ id: open, name: "bash", input: { command: match[1] ?? "" }, group: open, startedAt: at })
    })
    return { turns: builder.build(), skipped: builder.skipped, root: Option.none() }
  }
}
