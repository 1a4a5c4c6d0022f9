// Capped exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog):
// the n-th wait is random in [floor, min(cap, initial * 2^(n-1))], so many Vault pods restarting together
// do not hit the KMS in lock step. A small floor keeps an instantly failing check from spinning.

export interface BackoffPolicy {
  initialMs: number;
  capMs: number;
  floorMs: number;
}

export const GATE_BACKOFF: BackoffPolicy = { initialMs: 1_000, capMs: 15_000, floorMs: 100 };

/** Delay before attempt `attempt + 1`, after `attempt` (1-based) failed. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = GATE_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  const floor = Math.min(policy.floorMs, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}

/** Resolves after `ms`, or at once when `signal` aborts (the timer is cleared, so nothing lingers). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    // Referenced on purpose: while the gate waits, this timer is what keeps the process alive.
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
