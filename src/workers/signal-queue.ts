/**
 * The turns waiting for their signals (METHOD §2–5), worked one at a time in arrival order, never on the
 * serving path. While the judge is unreachable the turn stays queued (and pending in the store) and is tried
 * again after a delay doubling from `first` to `max`; any other failure is the turn's own and it moves on.
 */

/** A turn whose next state is written and whose signals are to be computed. */
export interface SignalJob {
  sessionId: string;
  turn: number;
}

export interface SignalWork {
  /** Judges the turn and records its signals (and its sample). */
  signal(job: SignalJob): Promise<void>;
  /** The turn failed for a reason of its own: record it; the queue moves on. */
  failed(job: SignalJob, error: Error): Promise<void>;
  /** The queue changed (a turn done, or the judge found unreachable): the page's queue view, and a possible update. */
  changed(turnDone: boolean): void;
}

export class SignalQueue {
  private readonly jobs: SignalJob[] = [];
  private working = false;
  /** Why signals are waiting (the judge is unreachable), or null. */
  judgeWaiting: string | null = null;
  /** Delays between retries while the judge is unreachable: doubling, capped. */
  readonly retryMs = { first: 1000, max: 30_000 };

  constructor(private readonly work: SignalWork) {}

  get length(): number {
    return this.jobs.length;
  }

  /** True while turns are queued or one is being worked. */
  get busy(): boolean {
    return this.working || this.jobs.length > 0;
  }

  /** Queues a turn and works the queue if it is not being worked. */
  push(job: SignalJob): void {
    this.jobs.push(job);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      let delay = this.retryMs.first;
      while (this.jobs.length > 0) {
        const job = this.jobs[0];
        try {
          await this.work.signal(job);
          this.judgeWaiting = null;
          delay = this.retryMs.first;
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          if (error.name === 'JudgeUnavailableError') {
            // The turn stays pending in the store; chat goes on; retry with backoff (issue 7).
            this.judgeWaiting = `judge unreachable, ${this.jobs.length} turn(s) waiting: ${error.message}`;
            this.work.changed(false);
            await new Promise((r) => setTimeout(r, delay));
            delay = Math.min(delay * 2, this.retryMs.max);
            continue;
          }
          await this.work.failed(job, error);
        }
        this.jobs.shift();
        this.work.changed(true);
      }
    } finally {
      this.working = false;
    }
  }
}
