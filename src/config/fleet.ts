// A fleet file: many seal targets checked in one run (e.g. one per cluster or region), each as if it were the
// only seal of its own Vault. JSON: {"targets": [{"name": "prod-use1", "type": "awskms", "settings": {...}}]}.
import { readFileSync } from "node:fs";
import { buildSeals, ConfigError, type RawSealBlock } from "./load.js";
import type { VaultConfig } from "./seal-config.js";

interface FleetTarget {
  name?: unknown;
  type?: unknown;
  settings?: unknown;
}

export function loadFleet(file: string, env: NodeJS.ProcessEnv): VaultConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`${file}: ${e.code ? `cannot read fleet file: ${e.code}` : `not valid JSON: ${e.message}`}`);
  }
  const targets = (doc as { targets?: unknown })?.targets;
  if (!Array.isArray(targets) || targets.length === 0) throw new ConfigError(`${file}: expected {"targets": [{"name", "type", "settings"}, ...]}`);
  const names = new Set<string>();
  const blocks: RawSealBlock[] = targets.map((t: FleetTarget, i) => {
    const where = `${file}: targets[${i}]`;
    if (typeof t?.type !== "string" || !t.type) throw new ConfigError(`${where}: "type" (awskms, gcpckms, ...) is required`);
    const settings = t.settings ?? {};
    if (typeof settings !== "object" || Array.isArray(settings)) throw new ConfigError(`${where}: "settings" must be an object of seal settings`);
    const name = typeof t.name === "string" && t.name ? t.name : `${t.type}-${i + 1}`;
    if (names.has(name)) throw new ConfigError(`${where}: duplicate target name "${name}"`);
    names.add(name);
    return { kind: "seal", type: t.type.toLowerCase(), body: { ...(settings as Record<string, unknown>), name }, file };
  });
  const seals = buildSeals(blocks, { env }, (b, key) => ({ kind: "file", file: `${b.file} (${String(b.body.name)}${key ? `.${key}` : ""})` }));
  return { files: [file], seals, origin: "fleet" };
}
