import { UsageError } from "./exit-codes.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_MS = 24 * 3_600_000;

/** "15s", "500ms", "2m", "1h" or a bare number of seconds -> milliseconds; rejects zero, negative and absurd values. */
export function parseDuration(flag: string, raw: string | number): number {
  const text = String(raw).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected a duration such as 15s, 500ms or 2m`);
  const ms = Number(m[1]) * UNITS[m[2] ?? "s"]!;
  if (!(ms > 0)) throw new UsageError(`--${flag} must be greater than zero`);
  if (ms > MAX_MS) throw new UsageError(`--${flag} ${text} is longer than 24h`);
  return Math.round(ms);
}
