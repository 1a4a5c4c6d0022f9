// The lazy map of checks (after ESLint's lazy rule map): a group of checks is imported only when a
// target needs it, so an awskms-only run never loads the Google SDK that gcpckms checks import.
import type { CheckDefinition } from "./check.js";

type Loader = () => Promise<{ default: CheckDefinition<any> }>;

/** Group -> loaders, in the order checks are reported. `config` runs once; the others once per seal of that type. */
export const CHECK_GROUPS: Record<string, Loader[]> = {
  config: [
    () => import("../checks/config/seal-layout.js"),
    () => import("../checks/config/required-keys.js"),
    () => import("../checks/config/ignored-keys.js"),
    () => import("../checks/config/env-overrides.js"),
    () => import("../checks/config/indirection.js"),
    () => import("../checks/vault/status.js"),
    () => import("../checks/vault/seal-type.js"),
    () => import("../checks/vault/initialized.js"),
    () => import("../checks/vault/sealed.js"),
    () => import("../checks/vault/recovery-seal.js"),
    () => import("../checks/vault/migration.js"),
    () => import("../checks/vault/health.js"),
    () => import("../checks/vault/migration-layout.js"),
    () => import("../checks/vault/old-seal-decrypt.js"),
  ],
  awskms: [
    () => import("../checks/awskms/region-key.js"),
    () => import("../checks/awskms/credentials.js"),
    () => import("../checks/awskms/identity.js"),
    () => import("../checks/awskms/iam-simulation.js"),
    () => import("../checks/awskms/irsa-trust.js"),
    () => import("../checks/awskms/key-state.js"),
    () => import("../checks/awskms/rotation.js"),
    () => import("../checks/awskms/round-trip.js"),
    () => import("../checks/awskms/round-trip-context.js"),
    () => import("../checks/awskms/deletion-protection.js"),
  ],
  gcpckms: [
    () => import("../checks/gcpckms/config.js"),
    () => import("../checks/gcpckms/credentials.js"),
    () => import("../checks/gcpckms/api-enabled.js"),
    () => import("../checks/gcpckms/key.js"),
    () => import("../checks/gcpckms/rotation.js"),
    () => import("../checks/gcpckms/permissions.js"),
    () => import("../checks/gcpckms/round-trip.js"),
  ],
};


export async function loadGroup(group: string): Promise<CheckDefinition<any>[]> {
  const loaders = CHECK_GROUPS[group] ?? [];
  return Promise.all(loaders.map(async (load) => (await load()).default));
}

export async function loadAllChecks(): Promise<CheckDefinition<any>[]> {
  const groups = await Promise.all(Object.keys(CHECK_GROUPS).map(loadGroup));
  return groups.flat();
}

/** `--only`/`--skip` patterns: exact ids or globs with `*` (e.g. `awskms.*`). */
export function matchesPattern(id: string, pattern: string): boolean {
  if (!pattern.includes("*")) return id === pattern || id.startsWith(`${pattern}.`);
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(id);
}
