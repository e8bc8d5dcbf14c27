import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Lane from "../Lane.js"
import * as LaneMetrics from "../LaneMetrics.js"

type MutableCounts = { -readonly [K in keyof LaneMetrics.Counts]: number }

const zeroCounts = (): MutableCounts => ({
  submitted: 0,
  started: 0,
  completed: 0,
  failed: 0,
  timedOut: 0,
  retried: 0,
  deadLettered: 0,
  cancelled: 0
})

/** The last `capacity` samples of a latency. */
class Reservoir {
  private readonly samples: Array<number> = []
  private next = 0

  constructor(private readonly capacity: number) {}

  add(sample: number): void {
    if (this.samples.length < this.capacity) this.samples.push(sample)
    else this.samples[this.next] = sample
    this.next = (this.next + 1) % this.capacity
  }

  quantiles(): LaneMetrics.Quantiles {
    const sorted = [...this.samples].sort((a, b) => a - b)
    const count = sorted.length
    const at = (q: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))] ?? 0
    const sum = sorted.reduce((total, sample) => total + sample, 0)
    return {
      count,
      min: sorted[0] ?? 0,
      max: sorted[count - 1] ?? 0,
      mean: count === 0 ? 0 : sum / count,
      p50: at(0.5),
      p90: at(0.9),
      p95: at(0.95),
      p99: at(0.99)
    }
  }
}

const reservoirSize = 1024

const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

/**
 * One lane's counts and samples, mirrored into the Effect Metrics tagged by lane. Not by session:
 * Effect's registry keeps every tag combination for good, so a session tag would grow it with every
 * session; per-session figures are the queue's own `metrics` snapshot.
 */
class LaneRecorder {
  readonly counts = zeroCounts()
  readonly wait = new Reservoir(reservoirSize)
  readonly run = new Reservoir(reservoirSize)
  /** The Effect Metrics, tagged with the lane once rather than on every update. */
  private readonly counters: { readonly [K in keyof LaneMetrics.Counts]: Metric.Metric.Counter<number> }
  private readonly waitMillis: Metric.Metric.Summary<number>
  private readonly runMillis: Metric.Metric.Summary<number>

  constructor(lane: Lane.Lane) {
    const tags = [MetricLabel.make("lane", lane)]
    const tagged = <Type, Out>(metric: Metric.Metric<Type, number, Out>): Metric.Metric<Type, number, Out> =>
      Metric.taggedWithLabels(metric, tags)
    const counters = LaneMetrics.counters
    this.counters = {
      submitted: tagged(counters.submitted),
      started: tagged(counters.started),
      completed: tagged(counters.completed),
      failed: tagged(counters.failed),
      timedOut: tagged(counters.timedOut),
      retried: tagged(counters.retried),
      deadLettered: tagged(counters.deadLettered),
      cancelled: tagged(counters.cancelled)
    }
    this.waitMillis = tagged(LaneMetrics.waitMillis)
    this.runMillis = tagged(LaneMetrics.runMillis)
  }

  count(name: keyof LaneMetrics.Counts): void {
    this.counts[name]++
    this.counters[name].unsafeUpdate(1, noTags)
  }

  countBy(name: keyof LaneMetrics.Counts, n: number): void {
    this.counts[name] += n
    this.counters[name].unsafeUpdate(n, noTags)
  }

  waited(millis: number): void {
    this.wait.add(millis)
    this.waitMillis.unsafeUpdate(millis, noTags)
  }

  ran(millis: number): void {
    this.run.add(millis)
    this.runMillis.unsafeUpdate(millis, noTags)
  }

  snapshot(): LaneMetrics.LaneSnapshot {
    return { counts: { ...this.counts }, waitMillis: this.wait.quantiles(), runMillis: this.run.quantiles() }
  }
}

/** The metrics of one session queue. */
export class QueueMetrics {
  readonly lanes: { readonly [L in Lane.Lane]: LaneRecorder }

  constructor() {
    this.lanes = {
      control: new LaneRecorder("control"),
      query: new LaneRecorder("query"),
      execute: new LaneRecorder("execute"),
      generate: new LaneRecorder("generate")
    }
  }

  snapshot(): LaneMetrics.Snapshot {
    const lanes = {
      control: this.lanes.control.snapshot(),
      query: this.lanes.query.snapshot(),
      execute: this.lanes.execute.snapshot(),
      generate: this.lanes.generate.snapshot()
    }
    const totals = zeroCounts()
    for (const lane of Lane.all) {
      for (const name of LaneMetrics.countNames) totals[name] += lanes[lane].counts[name]
    }
    return { lanes, totals }
  }
}
