// A fleet file: many seal targets checked in one run (e.g. one per cluster or region), each as if it were the
// only seal of its own Vault. JSON: {"targets": [{"name": "prod-use1", "type": "awskms", "settings": {...}}]}.
import { FileRefusedError, readBoundedText } from "../fs/read-bounded.js";
import { buildSeals, ConfigError, type RawSealBlock } from "./load.js";
import type { VaultConfig } from "./seal-config.js";
import { parseJsonStrict } from "./json-text.js";

interface FleetTarget {
  name?: unknown;
  type?: unknown;
  settings?: unknown;
}

export function loadFleet(file: string, env: NodeJS.ProcessEnv): VaultConfig {
  let text: string;
  try {
    text = readBoundedText(file, "fleet");
  } catch (err) {
    if (err instanceof FileRefusedError) throw new ConfigError(err.message);
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`${file}: cannot read fleet file: ${e.code ?? e.message}`);
  }
  const doc = parseJsonStrict(text, file, (m) => new ConfigError(m));
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
