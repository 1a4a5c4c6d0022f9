// Plain-text rendering of one finding, shared by the text and JUnit reporters.
import type { Finding } from "../model.js";

export function renderDetails(f: Finding): string[] {
  return Object.entries(f.details ?? {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v === null ? "-" : String(v)}`);
}

export function renderFindingPlain(f: Finding): string {
  const lines = [`[${f.status}] ${f.code}: ${f.message}`, ...renderDetails(f).map((d) => `  ${d}`)];
  if (f.fix) {
    lines.push(`  Fix: ${f.fix.summary}`);
    for (const c of f.fix.commands) lines.push(...c.split("\n").map((l) => `    ${l}`));
    if (f.fix.docs) lines.push(`  Docs: ${f.fix.docs}`);
  }
  return lines.join("\n");
}
