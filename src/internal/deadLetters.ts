import type * as LaneQueue from "../LaneQueue.js"

/** A bounded store of dead letters: the oldest is evicted once `capacity` is reached. */
export class DeadLetters {
  private readonly entries: Array<LaneQueue.DeadLetter> = []
  private start = 0

  constructor(private readonly capacity: number) {}

  add(letter: LaneQueue.DeadLetter): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(letter)
      return
    }
    this.entries[this.start] = letter
    this.start = (this.start + 1) % this.capacity
  }

  /** Every entry, oldest first. */
  toArray(): Array<LaneQueue.DeadLetter> {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)]
  }
}
