import { UsageError } from "./exit-codes.js";

/** `k=v` flags (repeatable, or comma-separated) -> a map; undefined when none were given. */
export function parseKeyValues(flag: string, raw: string[] | string | undefined): Record<string, string> | undefined {
  const items = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((r) => r.split(",")).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} ${JSON.stringify(item)}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
