/**
 * @internal
 * Whether a `sed` invocation only prints: no `-i` / `--in-place` (editing files), no `-f` (a script from a
 * file, unseen), and every script made of commands that only read and print. A script may write with `w` / `W`
 * and the `w` flag of `s`, and run programs with `e` and the `e` flag of `s` (GNU sed): those, and anything this
 * parser does not know, make the invocation not read-only. `--sandbox` (GNU sed refuses `w`, `e` and `r` then)
 * makes any script read-only. The commands follow the GNU sed manual, "sed scripts" and "Commands".
 */

/** Commands without an argument that only read the input or print. */
const plain = new Set(["p", "P", "d", "D", "n", "N", "g", "G", "h", "H", "x", "z", "=", "F", "{", "}", "l", "q", "Q"])

/** Flags of `s` that neither write nor run anything. */
const safeFlags = /^[gpiImM0-9]$/

/** Reads the text up to the next unescaped `delimiter` from `at`; the index after it, or -1. */
const until = (script: string, at: number, delimiter: string): number => {
  for (let i = at; i < script.length; i++) {
    const c = script[i]
    if (c === "\\") i++
    else if (c === delimiter) return i + 1
    else if (c === "\n") return -1
  }
  return -1
}

/** Skips one address (`3`, `$`, `/re/I`, `\%re%`, `first~step`); the index after it. */
const address = (script: string, at: number): number => {
  let i = at
  const c = script[i]
  if (c === "$") return i + 1
  if (c !== undefined && /\d/.test(c)) {
    while (/[\d~]/.test(script[i] ?? "")) i++
    return i
  }
  if (c === "/" || c === "\\") {
    const delimiter = c === "/" ? "/" : script[i + 1] ?? ""
    if (delimiter === "" || delimiter === "\n") return -1
    i = until(script, c === "/" ? i + 1 : i + 2, delimiter)
    while (i > 0 && /[IM]/.test(script[i] ?? "")) i++
    return i
  }
  return at
}

/** The index after one command at `at` (its address included), or -1 when it may write or run. */
const command = (script: string, at: number): number => {
  let i = address(script, at)
  if (i < 0) return -1
  if (i > at && script[i] === ",") {
    const second = address(script, i + 1)
    if (second <= i + 1) {
      // `addr,+N` / `addr,~N` (GNU)
      if (!/[+~]/.test(script[i + 1] ?? "")) return -1
      i += 2
      while (/\d/.test(script[i] ?? "")) i++
    } else i = second
  }
  while (script[i] === " " || script[i] === "\t") i++
  if (script[i] === "!") i++
  while (script[i] === " " || script[i] === "\t") i++
  const name = script[i] ?? ""
  i++
  if (plain.has(name)) {
    if (name === "l" || name === "q" || name === "Q") { while (/[\d ]/.test(script[i] ?? "")) i++ }
    return i
  }
  if (name === "s" || name === "y") {
    const delimiter = script[i] ?? ""
    if (delimiter === "" || delimiter === "\\" || delimiter === "\n") return -1
    i = until(script, i + 1, delimiter)
    if (i > 0) i = until(script, i, delimiter)
    if (i < 0) return -1
    if (name === "s") {
      while (i < script.length && /[A-Za-z0-9]/.test(script[i] ?? "")) {
        if (!safeFlags.test(script[i] ?? "")) return -1
        i++
      }
    }
    return i
  }
  if (name === ":" || name === "b" || name === "t" || name === "T" || name === "a" || name === "i" || name === "c") {
    // a label, or text to print: to the end of the line (GNU sed ends a label at `;` too)
    while (
      i < script.length && script[i] !== "\n" && !(name !== "a" && name !== "i" && name !== "c" && script[i] === ";")
    ) {
      i++
    }
    return i
  }
  if (name === "r" || name === "R") {
    // reads a file into the output
    while (i < script.length && script[i] !== "\n") i++
    return i
  }
  return -1
}

/** Whether every command of a sed script only reads and prints. */
export const scriptReadOnly = (script: string): boolean => {
  let i = 0
  for (let guard = 0; guard <= script.length; guard++) {
    while (i < script.length && /[\s;]/.test(script[i] ?? "")) i++
    if (i >= script.length) return true
    const next = command(script, i)
    if (next <= i) return false
    i = next
    while (script[i] === " " || script[i] === "\t") i++
    // after a command: a separator, the end of a block, or the end; a block's `{` needs none
    if (i < script.length && script[next - 1] !== "{" && !/[;\n}]/.test(script[i] ?? "")) return false
  }
  return false
}

/** Short options of sed that neither edit nor read a script file; `e` and `l` take a value. */
const shortSafe = /^[nErsuz]$/

/** Whether a sed command line (its arguments) only prints. */
export const sedReadOnly = (args: ReadonlyArray<string>): boolean => {
  const scripts: Array<string> = []
  let operand: string | undefined
  let sandbox = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "--") {
      operand ??= args[i + 1]
      break
    }
    if (arg.startsWith("--")) {
      const [name = "", value] = arg.slice(2).split(/=(.*)/s)
      if (name === "sandbox") sandbox = true
      else if (name === "expression") {
        const script = value ?? args[++i]
        if (script === undefined) return false
        scripts.push(script)
      } else if (
        ![
          "quiet",
          "silent",
          "regexp-extended",
          "posix",
          "separate",
          "unbuffered",
          "null-data",
          "debug",
          "line-length",
          "zero-terminated"
        ].includes(name)
      ) return false
      continue
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k] ?? ""
        if (letter === "e" || letter === "l") {
          const value = arg.slice(k + 1) || args[++i]
          if (value === undefined) return false
          if (letter === "e") scripts.push(value)
          break
        }
        if (!shortSafe.test(letter)) return false
      }
      continue
    }
    if (scripts.length === 0 && operand === undefined) operand = arg
  }
  if (scripts.length === 0 && operand !== undefined) scripts.push(operand)
  return scripts.length > 0 && (sandbox || scripts.every(scriptReadOnly))
}
