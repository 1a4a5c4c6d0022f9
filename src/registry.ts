// The lazy map of checks (after ESLint's lazy rule map): id -> loader. The engine's own checks (config,
// vault, migrate) are always loaded; a seal type's checks come from its descriptor (src/seals/) and are
// imported only when a seal of that type is checked, so an awskms-only run never loads the Google SDK.
import type { AnyCheck } from "./check.js";
import { sealDescriptor, sealDescriptors } from "./seals/index.js";
import type { CheckLoader } from "./seals/types.js";

/** Checks of the whole configuration, the live Vault and migrations, in report order. */
const ENGINE_CHECKS = [
  "config.seal-layout", "config.required-keys", "config.ignored-keys", "config.env-overrides", "config.indirection", "config.kms-plugins", "config.target",
  "vault.status", "vault.seal-type", "vault.initialized", "vault.sealed", "vault.recovery-seal", "vault.migration", "vault.health",
  "migrate.layout", "migrate.old-seal-decrypt",
];

/** Engine checks reported after the seal types' own: the stored root key's wrapping key comes after the configured key's checks. */
const LATE_ENGINE_CHECKS = ["storage.wrapping-key", "storage.transit-version", "storage.gcp-version", "storage.azure-version"];

type Entry = readonly [string, CheckLoader];

/** A check's module is checks/<group>/<name>.ts for id `<group>.<name>`: the folder is the id's prefix by construction. */
function moduleOf(id: string): Entry {
  const dot = id.indexOf(".");
  return [id, () => import(/* @vite-ignore */ `../checks/${id.slice(0, dot)}/${id.slice(dot + 1)}.js`) as ReturnType<CheckLoader>];
}

function entries(sealTypes?: Iterable<string>): Entry[] {
  const seals = sealTypes === undefined ? sealDescriptors() : [...new Set(sealTypes)].map(sealDescriptor).filter((d) => d !== undefined);
  return [...ENGINE_CHECKS, ...seals.flatMap((d) => d.checks), ...LATE_ENGINE_CHECKS].map((e) => (typeof e === "string" ? moduleOf(e) : e));
}

/** Every check id, in report order, without loading any check. */
export function checkIds(): string[] {
  return entries().map(([id]) => id);
}

async function load(list: Entry[]): Promise<AnyCheck[]> {
  return Promise.all(list.map(async ([id, loader]) => {
    const def = (await loader()).default;
    if (def.id !== id) throw new Error(`registry lists ${id} but its module defines ${def.id}`);
    return def;
  }));
}

/** The engine's checks plus those of the given seal types, in report order. */
export function loadChecksFor(sealTypes: Iterable<string>): Promise<AnyCheck[]> {
  return load(entries(sealTypes));
}

export function loadAllChecks(): Promise<AnyCheck[]> {
  return load(entries());
}

/** The group of a check: its id prefix, which is also its folder under checks/. */
export function groupOf(id: string): string {
  return id.slice(0, id.indexOf("."));
}

/** `--only`/`--skip` patterns: exact ids or globs with `*` (e.g. `awskms.*`). */
export function matchesPattern(id: string, pattern: string): boolean {
  if (!pattern.includes("*")) return id === pattern || id.startsWith(`${pattern}.`);
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(id);
}
