// The four values Vault joins into `projects/P/locations/L/keyRings/R/cryptoKeys/K` (go-kms-wrapping
// wrappers/gcpckms SetConfig: parentName). Vault sends them verbatim, so a stray quote, comma or space
// (Helm env lists, YAML folding) ends up inside the resource name and the key "does not exist".
// Id rules: key ring and crypto key ids match [a-zA-Z0-9_-]{1,63}
// (https://cloud.google.com/kms/docs/resource-hierarchy#key_rings); project ids are 6-30 lowercase
// letters, digits and hyphens (https://cloud.google.com/resource-manager/docs/creating-managing-projects);
// locations are lowercase names such as global, us, us-central1 (https://cloud.google.com/kms/docs/locations).

export type SealIdKey = "project" | "region" | "key_ring" | "crypto_key";

const VALID: Record<SealIdKey, RegExp> = {
  // Also accepts legacy domain-scoped ids (example.com:my-project).
  project: /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  region: /^[a-z0-9-]+$/,
  key_ring: /^[a-zA-Z0-9_-]{1,63}$/,
  crypto_key: /^[a-zA-Z0-9_-]{1,63}$/,
};

export function isValidId(key: SealIdKey, value: string): boolean {
  return VALID[key].test(value);
}

/** A full resource name pasted into one field: returns the short id that field wants. */
export function fromFullName(key: SealIdKey, value: string): string | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)(?:\/keyRings\/([^/]+)(?:\/cryptoKeys\/([^/]+))?)?/.exec(value);
  if (!m) return undefined;
  const part = { project: m[1], region: m[2], key_ring: m[3], crypto_key: m[4] }[key];
  return part || undefined;
}

/** `us-central1-a` is a Compute zone; Cloud KMS locations are regions (`us-central1`). */
export function zoneToRegion(value: string): string | undefined {
  const m = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(value);
  return m?.[1];
}

export function keyRingName(project: string, location: string, keyRing: string): string {
  return `projects/${project}/locations/${location}/keyRings/${keyRing}`;
}

export function cryptoKeyName(project: string, location: string, keyRing: string, cryptoKey: string): string {
  return `${keyRingName(project, location, keyRing)}/cryptoKeys/${cryptoKey}`;
}
