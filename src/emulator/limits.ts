// The service limits a client must live within, on the emulator's clock: ARM's token buckets per
// subscription (reads, writes, deletes; 429 with Retry-After when empty) and ADF's budget of
// monitoring queries per factory (about 1,000 a minute).

export interface BucketSpec {
  /** Tokens when full. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** ARM's published token buckets per subscription and region (2024): reads 250 (+25/s), writes 200 (+10/s), deletes 200 (+10/s). */
export const ARM_BUCKETS = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
} as const satisfies Record<string, BucketSpec>;

/** ADF's monitoring queries (queryPipelineRuns, get run, queryActivityruns): about 1,000 a minute per factory. */
export const MONITORING_QUERIES_PER_MINUTE = 1_000;

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number,
  ) {
    this.tokens = spec.capacity;
    this.at = now();
  }

  /** Takes a token; when none is left, the seconds until one is (for Retry-After). */
  take(): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.spec.refillPerSecond)) };
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.spec.capacity, this.tokens + elapsed * this.spec.refillPerSecond);
    this.at = now;
  }
}

/** At most `limit` calls in any 60 seconds. */
export class MinuteBudget {
  private readonly calls: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    while (this.calls.length > 0 && this.calls[0]! <= now - 60_000) this.calls.shift();
    if (this.calls.length >= this.limit)
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((this.calls[0]! + 60_000 - now) / 1000)) };
    this.calls.push(now);
    return { ok: true };
  }
}
