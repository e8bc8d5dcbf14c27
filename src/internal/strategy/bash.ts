/**
 * @internal
 * A conservative classifier of `bash` commands: read-only only when every simple command of the line is a
 * known reader with no writing option, joined by `|`, `&&`, `||` or `;`, with no redirection but into
 * `/dev/null` (or `2>&1`), and no expansion that could run anything (`$(...)`, backquotes, `<(...)`). Anything
 * it does not understand is not read-only: a wrong "no" costs parallelism, a wrong "yes" could lose data.
 */

type Token = { readonly word: string } | { readonly op: string }

/** Characters that make a line too clever to judge: any expansion (`$`, backquotes), grouping, new lines. */
const refused = /[`\n\r{}()$]|<\(|>\(/

/** Splits a line into words and operators; `undefined` when quoting is unbalanced. */
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
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) return undefined
      word += line.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === "\"") {
      let j = i + 1
      while (j < line.length && line[j] !== "\"") j += line[j] === "\\" ? 2 : 1
      if (j >= line.length) return undefined
      word += line.slice(i + 1, j).replace(/\\(.)/g, "$1")
      inWord = true
      i = j + 1
    } else if (c === "\\") {
      word += line[i + 1] ?? ""
      inWord = true
      i += 2
    } else if ("|&;<>".includes(c)) {
      // a file descriptor number glued to a redirection belongs to it: 2>/dev/null, 2>&1
      const fd = /^\d+$/.test(word) && inWord && (c === ">" || c === "<") ? word : ""
      if (fd !== "") {
        word = ""
        inWord = false
      } else {
        flush()
      }
      const two = line.slice(i, i + 2)
      const op = two === "&&" || two === "||" || two === ">>" || two === ">&" || two === "&>" ? two : c
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
  "ls-files",
  "rev-parse",
  "shortlog",
  "describe"
])

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
    "diff",
    "cmp",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "cd",
    "column",
    "env",
    "printenv"
  ].map((
    name
  ): [string, ArgsCheck] => [name, always]),
  ["tail", (args) => !args.some((a) => shortHas(a, "fF") || longMayBe(a, ["follow", "retry"]))],
  ["rg", (args) => !args.some((a) => shortHas(a, "z") || longMayBe(a, ["pre", "pre-glob", "search-zip"]))],
  ["find", (args) => !args.some((a) => /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/.test(a))],
  ["git", (args) =>
    // the subcommand first: global options such as -C, -c or --git-dir could change what runs
    gitReads.has(args[0] ?? "") &&
    !args.some((a) => /^-O/.test(a) || longMayBe(a, ["output", "ext-diff", "open-files-in-pager", "exec", "textconv"]))]
])

/** `env` and `printenv` only print: `env VAR=x cmd` runs a command, so `env` must stand alone. */
const standsAlone = (name: string, args: ReadonlyArray<string>) => name !== "env" || args.length === 0

const harmlessRedirect = (op: string, target: Token | undefined): boolean =>
  (op === "2>&" || op === ">&" || op === "1>&") && target !== undefined && "word" in target && /^\d$/.test(target.word)
    ? true
    : /^\d?>>?$/.test(op) && target !== undefined && "word" in target && target.word === "/dev/null"

/** @internal Whether a bash command line only reads. Total: any input gives an answer. */
export const isReadOnlyCommand = (line: unknown): boolean => {
  if (typeof line !== "string" || line.trim() === "" || refused.test(line)) return false
  const tokens = tokenize(line)
  if (tokens === undefined) return false
  let command: Array<string> = []
  const commandOk = () => {
    const [name, ...args] = command
    if (name === undefined) return false
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(name) || name.includes("$")) return false
    const check = readers.get(name.includes("/") ? "" : name)
    return check !== undefined && standsAlone(name, args) && check(args)
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token === undefined) continue
    if ("word" in token) {
      command.push(token.word)
      continue
    }
    if (token.op === "|" || token.op === "&&" || token.op === "||" || token.op === ";") {
      if (!commandOk()) return false
      command = []
      continue
    }
    if (harmlessRedirect(token.op, tokens[i + 1])) {
      i++
      continue
    }
    return false
  }
  return commandOk()
}
