/**
 * @internal
 * A conservative classifier of PowerShell command lines (what Codex's `shell_command` runs on Windows):
 * read-only only when every command of the pipeline is a reading cmdlet (`Get-Content` without `-Wait`,
 * `Get-ChildItem`, `Select-String`, `Test-Path`, `Get-Item`, and the formatting and selecting cmdlets that only
 * shape their input) or a reading program (`rg`, `git` with a reading subcommand), joined by `|`, `;`, `&&` or
 * `||` (programs the line runs, such as `rg` or `git`, judged by `program`), with no redirection but of errors to `$null`, and nothing that could run code: no variable or
 * subexpression (`$`), no call operator (`&`), no script block or grouping (`{`, `(`, `@`), no escape
 * (backquote). Cmdlet and parameter names are case-insensitive, as in PowerShell.
 */
/** A PowerShell verb-noun name such as `Get-Content` at the start of a command. */
const cmdlet =
  /(?:^|[\s;|&])(?:get|set|select|test|measure|sort|format|out|write|resolve|where|foreach|invoke|new|remove|copy|move|add|clear|start|stop|rename)-[a-z]+(?=$|[\s;|&])/i

/** Whether the line names a PowerShell cmdlet, so it is judged as PowerShell. */
export const namesCmdlet = (line: string): boolean => cmdlet.test(line)

type Check = (args: ReadonlyArray<string>) => boolean

const always: Check = () => true

/** `-Wait` (abbreviated as far as `-Wa`) makes `Get-Content` follow the file for ever. */
const getContent: Check = (args) => !args.some((arg) => /^-wa/i.test(arg))

/** The commands that only read, by lower-case name, with their aliases. */
const readers: ReadonlyMap<string, Check> = new Map<string, Check>([
  ["get-content", getContent],
  ["gc", getContent],
  ["cat", getContent],
  ["type", getContent],
  ["get-childitem", always],
  ["gci", always],
  ["dir", always],
  ["ls", always],
  ["select-string", always],
  ["sls", always],
  ["test-path", always],
  ["get-item", always],
  ["gi", always],
  ["get-location", always],
  ["gl", always],
  ["pwd", always],
  ["set-location", always],
  ["sl", always],
  ["cd", always],
  ["resolve-path", always],
  ["select-object", always],
  ["select", always],
  ["measure-object", always],
  ["measure", always],
  ["sort-object", always],
  ["format-list", always],
  ["format-table", always],
  ["out-string", always],
  ["write-output", always],
  ["echo", always]
])

type Token = { readonly word: string } | { readonly op: string }

/** Redirections of errors or all streams into `$null`, and `2>&1`: they write nothing. */
const nullRedirect = /(?:^|(?<=\s))(?:[1-6*]?>>?\s*\$null|[2-6*]>&1)(?=$|[\s;|])/gi

/**
 * Splits a PowerShell line into words and the operators `|`, `;` (new lines too), `&&`, `||`; `undefined` when
 * it holds anything else that could run code or write: `$` (outside single quotes), backquotes, `(`, `)`, `{`,
 * `}`, `@`, `<`, `>`, a lone `&`. Redirections of errors into `$null` and `2>&1` are dropped first.
 */
export const tokenize = (line: string): Array<Token> | undefined => {
  const text = line.replace(nullRedirect, " ")
  const tokens: Array<Token> = []
  let word = ""
  let inWord = false
  const flush = () => {
    if (inWord) tokens.push({ word })
    word = ""
    inWord = false
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? ""
    if (c === " " || c === "\t") flush()
    else if (c === "\n" || c === "\r" || c === ";") {
      flush()
      tokens.push({ op: ";" })
    } else if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++
    } else if (c === "'" || c === "\"") {
      // '...' is literal ('' is a quote); "..." is literal here only without `$` and backquotes
      let j = i + 1
      for (;;) {
        if (j >= text.length) return undefined
        if (text[j] === c) {
          if (text[j + 1] === c) {
            word += c
            j += 2
            continue
          }
          break
        }
        if (c === "\"" && (text[j] === "$" || text[j] === "`")) return undefined
        word += text[j]
        j++
      }
      inWord = true
      i = j
    } else if (c === "|" || c === "&") {
      flush()
      const two = text.slice(i, i + 2)
      if (two === "&&" || two === "||") {
        tokens.push({ op: two })
        i++
      } else if (c === "|") tokens.push({ op: "|" })
      else return undefined
    } else if ("$`(){}@<>".includes(c)) return undefined
    else {
      word += c
      inWord = true
    }
  }
  flush()
  return tokens
}

/** Whether one command of a PowerShell pipeline only reads; `program` judges those that are not cmdlets. */
export const commandReadOnly = (
  words: ReadonlyArray<string>,
  program: (name: string, args: ReadonlyArray<string>) => boolean
): boolean => {
  const [name = "", ...args] = words
  const check = readers.get(name.toLowerCase())
  return check === undefined ? program(name, args) : check(args)
}
