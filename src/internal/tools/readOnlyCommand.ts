/**
 * @internal
 * A conservative classifier of shell command lines: read-only only when every simple command of the line is a
 * known reader with no writing option, joined by `|`, `&&`, `||`, `;` or new lines, with no redirection but
 * from a file (`<`) or into `/dev/null` (or `2>&1`), and no expansion that could run anything (`$`, backquotes
 * outside single quotes, `<(...)`), no grouping (`(`, `{`). PowerShell lines (Codex's `shell_command` on
 * Windows) are judged by {@link PowerShell.isReadOnly} when they name a cmdlet. Anything it does not understand
 * is not read-only: a wrong "no" costs parallelism, a wrong "yes" could lose data.
 */
import * as PowerShell from "./readOnlyPowerShell.js"
import { sedReadOnly } from "./readOnlySed.js"

type Token = { readonly word: string } | { readonly op: string }

/**
 * Splits a line into words and operators as a POSIX shell would; `undefined` when the line holds what could
 * run something (an unquoted or double-quoted `$` or backquote, an unquoted `(`, `)`, `{`, `}`), a line
 * continuation, or unbalanced quotes. An unquoted new line separates commands like `;`; `#` at the start of a
 * word begins a comment.
 */
const tokenize = (line: string): Array<Token> | undefined => {
  const tokens: Array<Token> = []
  let word = ""
  let inWord = false
  let i = 0
  const flush = () => {
    if (inWord) tokens.push({ word })
    word = ""
    inWord = false
  }
  while (i < line.length) {
    const c = line[i] ?? ""
    if (c === " " || c === "\t") {
      flush()
      i++
    } else if (c === "\r" && line[i + 1] !== "\n") {
      return undefined
    } else if (c === "\n" || c === "\r") {
      flush()
      tokens.push({ op: ";" })
      i++
    } else if (c === "#" && !inWord) {
      while (i < line.length && line[i] !== "\n") i++
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) return undefined
      word += line.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === "\"") {
      let j = i + 1
      let text = ""
      while (j < line.length && line[j] !== "\"") {
        const d = line[j] ?? ""
        if (d === "$" || d === "`") return undefined
        if (d === "\\" && /["\\$`\n]/.test(line[j + 1] ?? "")) {
          if (line[j + 1] === "\n") return undefined
          text += line[j + 1] ?? ""
          j += 2
        } else {
          text += d
          j++
        }
      }
      if (j >= line.length) return undefined
      word += text
      inWord = true
      i = j + 1
    } else if (c === "\\") {
      const next = line[i + 1]
      if (next === undefined || next === "\n") return undefined
      word += next
      inWord = true
      i += 2
    } else if (c === "$" || c === "`" || "(){}".includes(c)) {
      return undefined
    } else if ("|&;<>".includes(c)) {
      // a file descriptor number glued to a redirection belongs to it: 2>/dev/null, 2>&1
      const fd = /^\d+$/.test(word) && inWord && (c === ">" || c === "<") ? word : ""
      if (fd !== "") {
        word = ""
        inWord = false
      } else {
        flush()
      }
      const three = line.slice(i, i + 3)
      const two = line.slice(i, i + 2)
      const op = three === "<<<" ? three : ["&&", "||", ">>", ">&", "&>", "<<", "<>", ">|", "|&", ";;"].includes(two)
        ? two
        : c
      tokens.push({ op: fd + op })
      i += op.length
    } else {
      word += c
      inWord = true
      i++
    }
  }
  flush()
  return tokens
}

type ArgsCheck = (args: ReadonlyArray<string>) => boolean

const always: ArgsCheck = () => true

/** Whether a short-option cluster (`-Rno`) holds one of `letters`. */
const shortHas = (arg: string, letters: string): boolean =>
  /^-[^-]/.test(arg) && [...arg.slice(1)].some((c) => letters.includes(c))

/** Whether a long option (`--outp=x`) may name one of `names`: programs accept unambiguous prefixes. */
const longMayBe = (arg: string, names: ReadonlyArray<string>): boolean => {
  if (!arg.startsWith("--") || arg.length < 3) return false
  const name = arg.slice(2).split("=")[0] ?? ""
  return names.some((forbidden) => forbidden.startsWith(name) || name.startsWith(forbidden))
}

const gitReads: ReadonlySet<string> = new Set([
  "status",
  "diff",
  "log",
  "show",
  "blame",
  "grep",
  "ls-files",
  "rev-parse",
  "shortlog",
  "describe"
])

/** `git` with a reading subcommand first (global options such as `-C`, `-c` or `--git-dir` could change what runs). */
const gitReadOnly: ArgsCheck = (args) =>
  gitReads.has(args[0] ?? "") &&
  !args.some((a) => /^-O/.test(a) || longMayBe(a, ["output", "ext-diff", "open-files-in-pager", "exec", "textconv"]))

/** `rg` without a preprocessor (`--pre` runs a program) or searching inside compressed files (`-z` runs one). */
const rgReadOnly: ArgsCheck = (args) =>
  !args.some((a) => shortHas(a, "z") || longMayBe(a, ["pre", "pre-glob", "search-zip"]))

/** `uniq [OPTION]... [INPUT [OUTPUT]]`: read-only with at most one operand (`-f`, `-s`, `-w` take a value). */
const uniqReadOnly: ArgsCheck = (args) => {
  let operands = 0
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "-f" || arg === "-s" || arg === "-w") i++
    else if (arg === "-" || !arg.startsWith("-")) operands++
  }
  return operands <= 1
}

/** `docker compose ps|logs` (logs without following, which never ends). */
const composeReadOnly = (args: ReadonlyArray<string>): boolean => {
  const [command, ...rest] = args
  return command === "ps" ||
    (command === "logs" && !rest.some((a) => shortHas(a, "f") || longMayBe(a, ["follow"])))
}

/**
 * Simple commands that only read, with the options that would make them write, run another program or never
 * end. Kept short on purpose: every entry is a promise.
 */
const readers: ReadonlyMap<string, ArgsCheck> = new Map<string, ArgsCheck>([
  ...[
    "ls",
    "cat",
    "head",
    "wc",
    "grep",
    "egrep",
    "fgrep",
    "pwd",
    "echo",
    "printf",
    "stat",
    "du",
    "df",
    "which",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "whoami",
    "uname",
    "id",
    "true",
    "false",
    "test",
    "[",
    "cut",
    "tr",
    "nl",
    "tac",
    "rev",
    "comm",
    "diff",
    "cmp",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "cd",
    "column",
    "jq",
    "env",
    "printenv"
  ].map((
    name
  ): [string, ArgsCheck] => [name, always]),
  ["tail", (args) => !args.some((a) => shortHas(a, "fF") || longMayBe(a, ["follow", "retry"]))],
  ["rg", rgReadOnly],
  ["find", (args) => !args.some((a) => /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/.test(a))],
  ["git", gitReadOnly],
  ["sed", sedReadOnly],
  ["sort", (args) => !args.some((a) => shortHas(a, "o") || longMayBe(a, ["output", "compress-program"]))],
  ["uniq", uniqReadOnly],
  ["file", (args) => !args.some((a) => shortHas(a, "C") || longMayBe(a, ["compile"]))],
  ["tree", (args) => !args.some((a) => shortHas(a, "oR") || longMayBe(a, ["output"]))],
  ["docker", (args) => args[0] === "compose" && composeReadOnly(args.slice(1))],
  ["docker-compose", composeReadOnly]
])

/** `env` and `printenv` only print: `env VAR=x cmd` runs a command, so `env` must stand alone. */
const standsAlone = (name: string, args: ReadonlyArray<string>) => name !== "env" || args.length === 0

/** Whether a program (no path, no assignment) is a known reader called without a writing option. */
const programReadOnly = (name: string, args: ReadonlyArray<string>): boolean => {
  const check = readers.get(name)
  return check !== undefined && standsAlone(name, args) && check(args)
}

/** Redirections that write nothing: from a file (`< f`, `0< f`), into `/dev/null`, or duplicating a descriptor. */
const harmlessRedirect = (op: string, target: Token | undefined): boolean => {
  if (target === undefined || !("word" in target)) return false
  if (op === "<" || op === "0<") return true
  if (op === "2>&" || op === ">&" || op === "1>&") return /^\d$/.test(target.word)
  return /^\d?>>?$/.test(op) && target.word === "/dev/null"
}

/**
 * Whether every simple command of a tokenized line passes `commandOk`: commands split at `|`, `&&`, `||` and
 * `;` (empty ones between `;`, as new lines give, skipped), a redirection allowed only when `redirect` finds it
 * writes nothing (it then takes the next token), at least one command.
 */
const everyCommand = (
  tokens: ReadonlyArray<Token>,
  commandOk: (words: ReadonlyArray<string>) => boolean,
  redirect: (op: string, target: Token | undefined) => boolean
): boolean => {
  let command: Array<string> = []
  let commands = 0
  const ok = () => {
    commands++
    return command.length > 0 && commandOk(command)
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token === undefined) continue
    if ("word" in token) {
      command.push(token.word)
      continue
    }
    if (token.op === "|" || token.op === "&&" || token.op === "||" || token.op === ";") {
      if (command.length === 0 && token.op === ";") continue
      if (!ok()) return false
      command = []
      continue
    }
    if (!redirect(token.op, tokens[i + 1])) return false
    i++
  }
  return command.length === 0 ? commands > 0 : ok()
}

/** A simple POSIX command: no variable assignment, no path to a program, a known reader without writing options. */
const posixCommand = (words: ReadonlyArray<string>): boolean => {
  const [name = "", ...args] = words
  return !/^[A-Za-z_][A-Za-z0-9_]*=/.test(name) && !name.includes("/") && programReadOnly(name, args)
}

/** The programs a PowerShell line may run besides its cmdlets. */
const powerShellProgram = (name: string, args: ReadonlyArray<string>): boolean =>
  (name === "rg" || name === "git") && programReadOnly(name, args)

/** @internal Whether a shell command line only reads. Total: any input gives an answer. */
export const isReadOnlyCommand = (line: unknown): boolean => {
  if (typeof line !== "string" || line.trim() === "" || line.length > 100_000) return false
  const powerShell = PowerShell.namesCmdlet(line)
  const tokens = powerShell ? PowerShell.tokenize(line) : tokenize(line)
  if (tokens === undefined) return false
  return powerShell
    ? everyCommand(tokens, (words) => PowerShell.commandReadOnly(words, powerShellProgram), () => false)
    : everyCommand(tokens, posixCommand, harmlessRedirect)
}
