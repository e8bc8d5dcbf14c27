/**
 * Race-free file access confined to the tools' root directory.
 *
 * Every path is resolved component by component from an open descriptor of the root: each step opens the next
 * name relative to the previous directory's descriptor (`/proc/self/fd/N/name` on Linux, which the kernel
 * resolves from the descriptor, not from a path that could have changed) with `O_NOFOLLOW`, so no symlink is
 * ever followed by the kernel. A symlink met on the way is expanded lexically into a root-relative path and the
 * walk starts again from the root; a target outside the root is refused without touching it. The final name is
 * `lstat`ed first (FIFOs, sockets and devices are refused before they are opened), then opened with
 * `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY`, and what was opened is checked: `fstat` for its type and link count,
 * and the real path of the descriptor (`/proc/self/fd/N`) against the root. Callers operate on that descriptor.
 *
 * The calls are node:fs's synchronous ones: they are metadata calls and chunked reads on regular files and
 * directories only (nothing that can block indefinitely is ever opened), a descriptor never leaks on
 * interruption, and callers yield between chunks so that interruption lands between them.
 *
 * Without `/proc/self/fd` (not Linux) the same checks run on path strings, which leaves a window between check
 * and use; the README says so.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { FileNotFound, FileTooLarge, PathOutsideRoot, ToolFailed, UnsupportedFile } from "./errors.js"

/** @internal */
export type ResolveError = PathOutsideRoot | FileNotFound | ToolFailed | UnsupportedFile

/** @internal */
export type Intent = "file" | "directory" | "any"

/** @internal */
export type Access = "read" | "update" | "write"

/** @internal */
export interface Request {
  readonly tool: string
  readonly input: string
  readonly intent: Intent
  /** `read` (default) opens read-only; `update` read-write, existing file; `write` write-only, created with parents. */
  readonly access?: Access
}

/** @internal */
export interface Opened {
  readonly fd: number
  readonly kind: "file" | "directory"
  readonly size: number
  /** The root-relative, `/`-separated path of what was opened (symlinks expanded), `"."` for the root. */
  readonly rel: string
  /** The real path of the descriptor. */
  readonly real: string
}

/** The most symlinks one resolution expands. */
const maxHops = 40

const c = NodeFs.constants
const O_RDONLY = c.O_RDONLY
const O_WRONLY = c.O_WRONLY
const O_RDWR = c.O_RDWR
const O_CREAT = c.O_CREAT
const O_EXCL = c.O_EXCL
const O_NOFOLLOW = c.O_NOFOLLOW ?? 0
const O_NONBLOCK = c.O_NONBLOCK ?? 0
const O_NOCTTY = c.O_NOCTTY ?? 0
const O_DIRECTORY = c.O_DIRECTORY ?? 0

/** Whether descriptors can anchor paths (`/proc/self/fd/N/name`): Linux. */
const anchored = ((): boolean => {
  try {
    return NodeFs.statSync("/proc/self/fd").isDirectory()
  } catch {
    return false
  }
})()

const errno = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const isInside = (parent: string, child: string): boolean => {
  const rel = NodePath.relative(parent, child)
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${NodePath.sep}`) && !NodePath.isAbsolute(rel))
}

const split = (rel: string): Array<string> => rel.split(NodePath.sep).filter((part) => part !== "" && part !== ".")

type Failure = { readonly _tag: "Failure"; readonly error: ResolveError }
type Restart = { readonly _tag: "Restart"; readonly components: ReadonlyArray<string> }
type Done = { readonly _tag: "Done"; readonly opened: Opened }

/**
 * The confined file access of one root.
 *
 * @internal
 */
export interface Confined {
  /** The real path of the root. */
  readonly root: string
  /** The root-relative components of a caller's path, lexically; fails when it lies outside the root. */
  readonly components: (tool: string, input: string) => Either.Either<ReadonlyArray<string>, PathOutsideRoot>
  /** The root-relative components a symlink at `at` (root-relative components) pointing to `target` names. */
  readonly expand: (at: ReadonlyArray<string>, target: string) => ReadonlyArray<string> | undefined
  /** Resolves and opens a path; the descriptor is closed when the scope closes. */
  readonly open: (request: Request) => Effect.Effect<Opened, ResolveError, Scope.Scope>
  /** Resolves and opens root-relative components (no lexical step); the caller closes the descriptor. */
  readonly openSync: (request: Request, components: ReadonlyArray<string>) => Either.Either<Opened, ResolveError>
  /** A path naming `name` inside the directory open as `fd` whose real path is `real`. */
  readonly at: (fd: number, real: string, name: string) => string
  /** The target of the symlink `name` in an open directory; `undefined` when it is none. */
  readonly readLink: (directory: Opened, name: string) => string | undefined
}

/**
 * Closes a descriptor, ignoring errors.
 *
 * @internal
 */
export const close = (fd: number): void => {
  try {
    NodeFs.closeSync(fd)
  } catch {
    // already closed
  }
}

/**
 * Builds the confined access of a root given as `base` (absolute) whose real path is `real`.
 *
 * @internal
 */
export const make = (base: string, real: string): Confined => {
  const at = (fd: number, dirReal: string, name: string): string =>
    anchored ? `/proc/self/fd/${fd}/${name}` : NodePath.join(dirReal, name)

  const realOf = (fd: number, fallback: string): string =>
    anchored ? NodeFs.readlinkSync(`/proc/self/fd/${fd}`) : NodeFs.realpathSync(fallback)

  const components = (tool: string, input: string): Either.Either<ReadonlyArray<string>, PathOutsideRoot> => {
    const absolute = NodePath.resolve(base, input)
    if (isInside(base, absolute)) return Either.right(split(NodePath.relative(base, absolute)))
    if (isInside(real, absolute)) return Either.right(split(NodePath.relative(real, absolute)))
    return Either.left(new PathOutsideRoot({ tool, path: input }))
  }

  const expand = (walked: ReadonlyArray<string>, target: string): ReadonlyArray<string> | undefined => {
    const absolute = NodePath.isAbsolute(target)
      ? NodePath.resolve(target)
      : NodePath.resolve(real, ...walked, target)
    if (isInside(real, absolute)) return split(NodePath.relative(real, absolute))
    if (NodePath.isAbsolute(target) && isInside(base, absolute)) return split(NodePath.relative(base, absolute))
    return undefined
  }

  const fail = (error: ResolveError): Failure => ({ _tag: "Failure", error })

  const platform = (request: Request, error: unknown): Failure => {
    const code = errno(error)
    if (code === "ENOENT") return fail(new FileNotFound({ tool: request.tool, path: request.input }))
    if (code === "ENOTDIR") {
      return fail(new UnsupportedFile({ tool: request.tool, path: request.input, reason: "not a directory" }))
    }
    return fail(new ToolFailed({ tool: request.tool, message: `${request.input}: ${messageOf(error)}` }))
  }

  const restart = (
    request: Request,
    walked: ReadonlyArray<string>,
    target: string,
    rest: ReadonlyArray<string>
  ): Restart | Failure => {
    const expanded = expand(walked, target)
    return expanded === undefined
      ? fail(new PathOutsideRoot({ tool: request.tool, path: request.input }))
      : { _tag: "Restart", components: [...expanded, ...rest] }
  }

  // Opens the directory `name` inside `dir`, creating it when asked; a symlink comes back as its target.
  const openDirectory = (
    request: Request,
    dir: number,
    dirReal: string,
    name: string,
    create: boolean
  ): { readonly fd: number } | { readonly link: string } | Failure => {
    const path = at(dir, dirReal, name)
    try {
      return { fd: NodeFs.openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) }
    } catch (error) {
      const code = errno(error)
      if (code === "ENOENT" && create) {
        try {
          NodeFs.mkdirSync(path)
        } catch (mkdirError) {
          if (errno(mkdirError) !== "EEXIST") return platform(request, mkdirError)
        }
        try {
          return { fd: NodeFs.openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) }
        } catch (retryError) {
          return errno(retryError) === "ELOOP" || errno(retryError) === "ENOTDIR"
            ? linkOrNotDirectory(request, path)
            : platform(request, retryError)
        }
      }
      if (code === "ELOOP" || code === "ENOTDIR") return linkOrNotDirectory(request, path)
      return platform(request, error)
    }
  }

  const linkOrNotDirectory = (request: Request, path: string): { readonly link: string } | Failure => {
    try {
      if (NodeFs.lstatSync(path).isSymbolicLink()) return { link: NodeFs.readlinkSync(path) }
    } catch (error) {
      return platform(request, error)
    }
    return fail(new UnsupportedFile({ tool: request.tool, path: request.input, reason: "not a directory" }))
  }

  const kindOf = (stats: NodeFs.Stats): "file" | "directory" | "link" | string =>
    stats.isFile()
      ? "file"
      : stats.isDirectory()
      ? "directory"
      : stats.isSymbolicLink()
      ? "link"
      : stats.isFIFO()
      ? "a FIFO"
      : stats.isSocket()
      ? "a socket"
      : stats.isCharacterDevice() || stats.isBlockDevice()
      ? "a device"
      : "not a regular file"

  const flagsFor = (request: Request, kind: "file" | "directory"): number => {
    if (kind === "directory") return O_RDONLY | O_DIRECTORY | O_NOFOLLOW
    const access = request.access === "update" ? O_RDWR : request.access === "write" ? O_WRONLY : O_RDONLY
    return access | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
  }

  // Checks what a descriptor holds and where it lives; closes it and fails when it is not what was expected.
  const verify = (
    request: Request,
    fd: number,
    expected: "file" | "directory",
    path: string,
    rel: ReadonlyArray<string>
  ): Done | Failure => {
    try {
      const stats = NodeFs.fstatSync(fd)
      const kind = kindOf(stats)
      if (kind !== expected) {
        close(fd)
        return fail(
          new UnsupportedFile({ tool: request.tool, path: request.input, reason: `changed while opening: ${kind}` })
        )
      }
      if (kind === "file" && request.access !== undefined && request.access !== "read" && stats.nlink > 1) {
        close(fd)
        return fail(
          new UnsupportedFile({
            tool: request.tool,
            path: request.input,
            reason: `refusing to write a file with ${stats.nlink} hard links`
          })
        )
      }
      const fdReal = realOf(fd, path)
      if (!isInside(real, fdReal)) {
        close(fd)
        return fail(new PathOutsideRoot({ tool: request.tool, path: request.input }))
      }
      return {
        _tag: "Done",
        opened: { fd, kind, size: stats.size, rel: rel.length === 0 ? "." : rel.join("/"), real: fdReal }
      }
    } catch (error) {
      close(fd)
      return platform(request, error)
    }
  }

  const finish = (
    request: Request,
    dir: number,
    dirReal: string,
    walked: ReadonlyArray<string>,
    name: string
  ): Done | Restart | Failure => {
    const path = at(dir, dirReal, name)
    const rel = [...walked, name]
    let stats: NodeFs.Stats
    try {
      stats = NodeFs.lstatSync(path)
    } catch (error) {
      if (errno(error) === "ENOENT" && request.access === "write" && request.intent === "file") {
        try {
          const fd = NodeFs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o666)
          return verify(request, fd, "file", NodePath.join(dirReal, name), rel)
        } catch (createError) {
          // created meanwhile (perhaps as a symlink): resolve again
          if (errno(createError) === "EEXIST") return { _tag: "Restart", components: rel }
          return platform(request, createError)
        }
      }
      return platform(request, error)
    }
    const kind = kindOf(stats)
    if (kind === "link") {
      try {
        return restart(request, walked, NodeFs.readlinkSync(path), [])
      } catch (error) {
        return platform(request, error)
      }
    }
    if (kind !== "file" && kind !== "directory") {
      return fail(new UnsupportedFile({ tool: request.tool, path: request.input, reason: `refusing ${kind}` }))
    }
    if (request.intent !== "any" && kind !== request.intent) {
      return fail(
        new UnsupportedFile({
          tool: request.tool,
          path: request.input,
          reason: kind === "directory" ? "is a directory" : "not a directory"
        })
      )
    }
    if (kind === "file" && request.access !== undefined && request.access !== "read" && stats.nlink > 1) {
      return fail(
        new UnsupportedFile({
          tool: request.tool,
          path: request.input,
          reason: `refusing to write a file with ${stats.nlink} hard links`
        })
      )
    }
    try {
      const fd = NodeFs.openSync(path, flagsFor(request, kind))
      return verify(request, fd, kind, NodePath.join(dirReal, name), rel)
    } catch (error) {
      if (errno(error) === "ELOOP") return { _tag: "Restart", components: rel }
      return platform(request, error)
    }
  }

  const attempt = (request: Request, parts: ReadonlyArray<string>): Done | Restart | Failure => {
    let dir: number
    try {
      dir = NodeFs.openSync(real, O_RDONLY | O_DIRECTORY)
    } catch (error) {
      return platform(request, error)
    }
    let dirReal = real
    try {
      const last = parts[parts.length - 1]
      if (last === undefined) {
        if (request.intent === "file") {
          return fail(new UnsupportedFile({ tool: request.tool, path: request.input, reason: "is a directory" }))
        }
        const done = verify(request, dir, "directory", real, [])
        dir = -1
        return done
      }
      const create = request.access === "write"
      for (let index = 0; index < parts.length - 1; index++) {
        const name = parts[index] ?? ""
        const walked = parts.slice(0, index)
        const next = openDirectory(request, dir, dirReal, name, create)
        if ("_tag" in next) return next
        if ("link" in next) return restart(request, walked, next.link, parts.slice(index + 1))
        close(dir)
        dir = next.fd
        dirReal = NodePath.join(dirReal, name)
      }
      const result = finish(request, dir, dirReal, parts.slice(0, -1), last)
      return result
    } finally {
      if (dir >= 0) close(dir)
    }
  }

  const openSync = (request: Request, parts: ReadonlyArray<string>): Either.Either<Opened, ResolveError> => {
    let current = parts
    for (let hop = 0; hop <= maxHops; hop++) {
      const step = attempt(request, current)
      if (step._tag === "Done") return Either.right(step.opened)
      if (step._tag === "Failure") return Either.left(step.error)
      current = step.components
    }
    return Either.left(
      new ToolFailed({ tool: request.tool, message: `too many levels of symbolic links: ${request.input}` })
    )
  }

  const open = (request: Request) =>
    Effect.acquireRelease(
      Effect.suspend(() =>
        Either.match(components(request.tool, request.input), {
          onLeft: (error): Effect.Effect<Opened, ResolveError> => Effect.fail(error),
          onRight: (parts) => openSync(request, parts)
        })
      ),
      (opened) => Effect.sync(() => close(opened.fd))
    )

  const readLink = (directory: Opened, name: string): string | undefined => {
    try {
      return NodeFs.readlinkSync(at(directory.fd, directory.real, name))
    } catch {
      return undefined
    }
  }

  return { root: real, components, expand, open, openSync, at, readLink }
}

/** The size of one read, in bytes. */
const chunkBytes = 64 * 1024

/**
 * Reads up to `length` bytes at `position`; fewer at the end of the file.
 *
 * @internal
 */
export const readChunk = (tool: string, fd: number, position: number, length: number = chunkBytes) =>
  Effect.try({
    try: () => {
      const buffer = Buffer.allocUnsafe(length)
      const read = NodeFs.readSync(fd, buffer, 0, length, position)
      return buffer.subarray(0, read)
    },
    catch: (error) => new ToolFailed({ tool, message: messageOf(error) })
  })

/**
 * The whole content of an open file, chunk by chunk (interruptible between chunks); fails with `FileTooLarge`
 * as soon as it exceeds `limit` bytes, whatever `fstat` said.
 *
 * @internal
 */
export const readAll = (
  tool: string,
  path: string,
  fd: number,
  limit: number
): Effect.Effect<Buffer, FileTooLarge | ToolFailed> =>
  Effect.gen(function*() {
    const chunks: Array<Buffer> = []
    let total = 0
    while (true) {
      const chunk = yield* readChunk(tool, fd, total)
      if (chunk.length === 0) return Buffer.concat(chunks, total)
      total += chunk.length
      if (total > limit) return yield* new FileTooLarge({ tool, path, limit })
      chunks.push(chunk)
      yield* Effect.yieldNow()
    }
  })

/**
 * Replaces the content of an open file with `bytes` (written at offset 0, then truncated to their length).
 *
 * @internal
 */
export const replaceContent = (tool: string, fd: number, bytes: Uint8Array): Effect.Effect<void, ToolFailed> =>
  Effect.try({
    try: () => {
      let written = 0
      while (written < bytes.length) {
        written += NodeFs.writeSync(fd, bytes, written, bytes.length - written, written)
      }
      NodeFs.ftruncateSync(fd, bytes.length)
    },
    catch: (error) => new ToolFailed({ tool, message: messageOf(error) })
  })

/**
 * The entries of an open directory, read through its descriptor.
 *
 * @internal
 */
export const readDirectory = (
  tool: string,
  confined: Confined,
  directory: Opened
): Effect.Effect<Array<NodeFs.Dirent>, ToolFailed> =>
  Effect.try({
    try: () => NodeFs.readdirSync(confined.at(directory.fd, directory.real, "."), { withFileTypes: true }),
    catch: (error) => new ToolFailed({ tool, message: messageOf(error) })
  })

/**
 * The root-relative components of an opened path.
 *
 * @internal
 */
export const componentsOf = (opened: Opened): ReadonlyArray<string> => opened.rel === "." ? [] : opened.rel.split("/")
