// Suggestions for a setting Vault will ignore: a known alias or misspelling of one the seal's wrapper reads
// (the settings themselves live in the seal descriptors, src/seals/).
import { sealDescriptor } from "../seals/index.js";

/** Damerau-free edit distance, enough to suggest `regoin` -> `region`. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggestKey(type: string, key: string): string | undefined {
  const seal = sealDescriptor(type);
  if (!seal) return undefined;
  const lower = key.toLowerCase();
  const alias = Object.hasOwn(seal.aliases, lower) ? seal.aliases[lower] : undefined;
  if (alias) return alias;
  const names = seal.settings.map((s) => s.name);
  if (names.includes(lower)) return lower;
  let best: { key: string; d: number } | undefined;
  for (const k of names) {
    const d = editDistance(lower, k);
    if (d <= 2 && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}
