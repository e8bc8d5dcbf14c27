/**
 * What the line needs of a waiting item: its place, written by the line.
 *
 * @internal
 */
export interface Placed {
  /** Its absolute position in the line since the line was made (written by {@link Line.push}). */
  position: number
}

/**
 * A FIFO line with removal from anywhere in O(1): an array with a moving front, where a removed
 * item leaves a hole that the front skips. Each item knows its absolute position, so removing it
 * needs no search. The array is compacted when the holes and taken slots before the front make up
 * half of it, and emptied when the line is.
 *
 * An array rather than the intrusive linked list it replaced: unlinking a task wrote to its
 * neighbour, a store V8 deoptimised over and over in the batch benchmark ("insufficient type
 * feedback", seen with `--trace-deopt`), and the links cost two fields per waiting task where the
 * array costs one slot. (The unlink's share of a batch's profile, about 15%, did not go away with
 * it: it moved to the next first write to the task, so it is the cost of touching a task allocated
 * long before, not of the unlink.)
 *
 * @internal
 */
export class Line<T extends Placed> {
  private items: Array<T | undefined> = []
  /** Index in `items` of the first slot not yet taken. */
  private front = 0
  /** Absolute position of `items[0]`. */
  private base = 0
  /** Items in the line. */
  size = 0

  /** Puts an item at the back. */
  push(item: T): void {
    item.position = this.base + this.items.length
    this.items.push(item)
    this.size++
  }

  /** The item at the front, if any (holes skipped). */
  peek(): T | undefined {
    if (this.size === 0) return undefined
    const items = this.items
    let front = this.front
    let item = items[front]
    while (item === undefined) item = items[++front]
    this.front = front
    return item
  }

  /** Removes an item that is in the line. */
  remove(item: T): void {
    const index = item.position - this.base
    if (this.items[index] !== item) return
    this.items[index] = undefined
    this.size--
    if (this.size === 0) this.reset()
    else {
      if (index === this.front) this.front++
      this.compact()
    }
  }

  /** The items, front first. */
  toArray(): Array<T> {
    const out: Array<T> = []
    const items = this.items
    for (let i = this.front; i < items.length; i++) {
      const item = items[i]
      if (item !== undefined) out.push(item)
    }
    return out
  }

  private reset(): void {
    this.base += this.items.length
    this.items = []
    this.front = 0
  }

  /** Drops the slots before the front once they are half the array. */
  private compact(): void {
    if (this.front < 1024 || this.front * 2 < this.items.length) return
    this.items = this.items.slice(this.front)
    this.base += this.front
    this.front = 0
  }

  /** Removes the front item, the one {@link peek} just returned. */
  shift(): void {
    this.items[this.front] = undefined
    this.size--
    if (this.size === 0) this.reset()
    else {
      this.front++
      this.compact()
    }
  }
}
