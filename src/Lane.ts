/**
 * The four lanes of a session queue, their priorities, and the routing of tool names to lanes.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The `Lane` schema: one of `"control"`, `"query"`, `"execute"`, `"generate"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Lane = Schema.Literal("control", "query", "execute", "generate")

/**
 * A lane: where one unit of agent work waits for a permit and runs.
 *
 * @since 0.1.0
 * @category models
 */
export type Lane = typeof Lane.Type

/**
 * Every lane, most urgent first: control, query, execute, generate.
 *
 * @since 0.1.0
 * @category constants
 */
export const all: ReadonlyArray<Lane> = Lane.literals

const priorities: { readonly [L in Lane]: number } = { control: 0, query: 1, execute: 2, generate: 3 }

/**
 * The priority of a lane: control 0, query 1, execute 2, generate 3 (lower is more urgent).
 *
 * @since 0.1.0
 * @category accessors
 */
export const priority = (lane: Lane): number => priorities[lane]

/**
 * The lane with a given priority, clamped to the valid range (0 is control, 3 and above generate).
 *
 * @since 0.1.0
 * @category accessors
 */
export const fromPriority = (value: number): Lane =>
  all[Math.min(all.length - 1, Math.max(0, Math.floor(value)))] ?? "generate"

const routes: ReadonlyMap<string, Lane> = new Map<string, Lane>([
  ...["pause", "resume", "cancel"].map((name) => [name, "control"] as const),
  ...["read", "glob", "ls", "grep", "list_files", "search", "web_fetch", "web_search"].map((name) =>
    [name, "query"] as const
  ),
  ...["bash", "write", "edit", "delete", "move", "copy", "execute"].map((name) => [name, "execute"] as const),
  ...["llm", "generate", "complete", "chat"].map((name) => [name, "generate"] as const)
])

/**
 * The lane a tool's calls run in. Reads and searches go to `query`, LLM calls to `generate`,
 * `pause`/`resume`/`cancel` to `control`; everything else, unknown names included, to `execute`,
 * the safe choice for work that may have side effects.
 *
 * @since 0.1.0
 * @category routing
 */
export const fromTool = (toolName: string): Lane => routes.get(toolName) ?? "execute"

/**
 * Whether a value names a lane.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLane: (u: unknown) => u is Lane = Schema.is(Lane)
