/**
 * What the tasks of one submission came from, for their events: the tool call each task runs and, on the
 * first submission of a turn, the turn's plan. `Strategy.runTurn` sets them around each submission
 * ({@link withTags}); the queue takes them as it accepts the submission ({@link takeTags}), and the ledger
 * copies them into the tasks' events.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Strategy from "../Strategy.js"

/**
 * The call a task runs: its ID and tool name (a `Strategy.ToolCall` is one).
 *
 * @internal
 */
export interface CallTag {
  readonly id: string
  readonly name: string
}

/**
 * The tags of one submission: one call per task, in submission order, and the plan of the turn when this is
 * the turn's first submission (built only when an event needs it).
 *
 * @internal
 */
export interface SubmissionTags {
  readonly calls: ReadonlyArray<CallTag>
  readonly turn: (() => Strategy.TurnPlan) | undefined
  /**
   * Set when the queue takes the tags. The submission's tasks run with its submitter's fiber refs, so a task
   * that submits work of its own sees the ref too: taken tags tag nothing more.
   */
  taken: boolean
}

/** @internal */
export const currentTags: FiberRef.FiberRef<SubmissionTags | undefined> = FiberRef.unsafeMake<
  SubmissionTags | undefined
>(undefined)

/**
 * Runs a submission with tags for its tasks. The ref is set, not scoped (`Effect.locally` costs about as much
 * as a small submission): the queue takes the tags as it accepts the submission, a submission that never got
 * that far (refused, or shut down) spends them as it ends, and spent tags tag nothing, so the value left behind
 * is inert.
 *
 * @internal
 */
export const withTags = (
  calls: ReadonlyArray<CallTag>,
  turn: (() => Strategy.TurnPlan) | undefined
) =>
<A, E, R>(submission: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const tags: SubmissionTags = { calls, turn, taken: false }
    return Effect.zipRight(
      FiberRef.set(currentTags, tags),
      Effect.ensuring(
        submission,
        Effect.sync(() => {
          tags.taken = true
        })
      )
    )
  })

/**
 * The tags the submitting fiber set for this submission, taken (so no later submission takes them), if any.
 *
 * @internal
 */
export const takeTags = (tags: SubmissionTags | undefined): SubmissionTags | undefined => {
  if (tags === undefined || tags.taken) return undefined
  tags.taken = true
  return tags
}
