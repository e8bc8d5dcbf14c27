import type * as ToolTraits from "../../ToolTraits.js"

/**
 * @internal A path in a form where two spellings of one file compare equal: `\` read as `/`, `.` and `..`
 * segments and repeated separators resolved, a Windows drive letter lower-cased, made relative to `root`
 * when it lies under it, and lower-cased as a whole (two names that differ only in case are one file on
 * case-insensitive filesystems; treating them as one only costs parallelism). An absolute path keeps a
 * leading `/`; a relative one climbing above its base keeps its leading `..` segments.
 */
export const canonical = (path: string, root: string | undefined): string => {
  const normal = normalize(path)
  if (root !== undefined && isAbsolute(normal)) {
    const base = normalize(root)
    if (normal === base) return "."
    const prefix = base.endsWith("/") ? base : `${base}/`
    if (normal.startsWith(prefix)) return normal.slice(prefix.length)
  }
  return normal
}

const isAbsolute = (path: string): boolean => path.startsWith("/") || /^[a-z]:\//.test(path)

const normalize = (path: string): string => {
  const slashed = path.replace(/\\/g, "/").toLowerCase()
  const drive = /^[a-z]:\//.exec(slashed)?.[0]
  const absolute = drive !== undefined || slashed.startsWith("/")
  const body = drive !== undefined ? slashed.slice(drive.length) : slashed
  const out: Array<string> = []
  for (const segment of body.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop()
      else if (!absolute) out.push("..")
      continue
    }
    out.push(segment)
  }
  const joined = out.join("/")
  if (drive !== undefined) return `${drive}${joined}`
  return absolute ? `/${joined}` : joined === "" ? "." : joined
}

const contains = (outer: string, inner: string): boolean =>
  outer === inner || outer === "." || inner.startsWith(outer.endsWith("/") ? outer : `${outer}/`)

/**
 * @internal Whether two canonical paths may name one file or one may lie under the other. A relative and an
 * absolute path (no root to relate them) overlap when the absolute one ends with the relative one; a
 * relative path climbing out of its base (`../x`) overlaps every absolute path.
 */
export const overlaps = (a: string, b: string): boolean => {
  if (contains(a, b) || contains(b, a)) return true
  const aAbsolute = isAbsolute(a)
  if (aAbsolute === isAbsolute(b)) return false
  const [absolute, relative] = aAbsolute ? [a, b] : [b, a]
  if (relative.startsWith("..")) return true
  return absolute.endsWith(`/${relative}`) || absolute.includes(`/${relative}/`)
}

/** @internal A resource with its path made canonical. */
export interface Touch {
  readonly path: string
  readonly write: boolean
}

/** @internal Canonical touches of declared resources. */
export const touches = (resources: ReadonlyArray<ToolTraits.Resource>, root: string | undefined): Array<Touch> =>
  resources.map((resource) => ({ path: canonical(resource.path, root), write: resource.access === "write" }))

/** @internal Whether two sets of touches conflict: one path overlapping another, and one of the two written. */
export const conflict = (a: ReadonlyArray<Touch>, b: ReadonlyArray<Touch>): boolean =>
  a.some((x) => b.some((y) => (x.write || y.write) && overlaps(x.path, y.path)))
