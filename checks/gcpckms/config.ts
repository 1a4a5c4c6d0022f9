// The four values Vault joins into the crypto key's resource name, where each came from (the environment
// beats the file, as Vault applies it), and values that cannot be a Cloud KMS id: stray characters from
// Helm env lists, a full resource name pasted into one field, a Compute zone given as the KMS location.
// Missing values are config.required-keys' finding (with Vault's own wording); this check then skips.
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, sealValue, type ResolvedValue } from "../../src/config/seal-config.js";
import { cryptoKeyName, fromFullName, isValidId, keyRingName, zoneToRegion, type SealIdKey } from "../../src/gcp/resource-ids.js";
import { strayCharacters } from "../../src/config/stray-characters.js";
import { GCPCKMS_DOCS, type GcpConfigFacts } from "../../src/gcp/session.js";

const KEYS: SealIdKey[] = ["project", "region", "key_ring", "crypto_key"];

/** Where to change a value: the file line, or the variable that set it. */
function changeCommand(key: SealIdKey, v: ResolvedValue, value: string): string {
  return v.from.kind === "env" ? `export ${v.from.name}="${value}"` : `# in ${formatProvenance(v.from)}:\n${key} = "${value}"`;
}

export default defineCheck({
  id: "gcpckms.config",
  title: "Project, location, key ring and key",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["gcpckms"],
  needs: ["config.required-keys"],
  messages: {
    "values": "Vault will use crypto key {name}.",
    "stray-characters": "{key} {raw} ({where}) contains stray characters (quotes, commas or spaces); Vault puts them into the resource name, so the key is never found. Did you mean \"{cleaned}\"?",
    "full-name": "{key} \"{raw}\" ({where}) is a full resource name; Vault expects only the {key} id here and builds the name itself. Did you mean \"{short}\"?",
    "zone-not-location": "region \"{raw}\" ({where}) is a Compute zone; Cloud KMS locations are regions or multi-regions (global, us, {suggested}, ...).",
    "invalid-id": "{key} \"{raw}\" ({where}) is not a valid Cloud KMS {what}.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const findings: Finding[] = [];
    const from = {} as GcpConfigFacts["from"];
    for (const key of KEYS) {
      const v = seal.values[key]!;
      const where = formatProvenance(v.from);
      from[key] = where;
      const fix = (value: string, summary: string) => ({ cause: "seal_config_error", fix: { summary, commands: [changeCommand(key, v, value)], docs: GCPCKMS_DOCS } });
      const stray = strayCharacters(v.value);
      const value = stray ?? v.value;
      const short = fromFullName(key, value);
      const zoneRegion = key === "region" ? zoneToRegion(value) : undefined;
      if (stray !== undefined && isValidId(key, stray)) {
        findings.push(ctx.report("fail", "stray-characters", { key, raw: JSON.stringify(v.value), where, cleaned: stray }, fix(stray, `Set ${key} to "${stray}".`)));
      } else if (short !== undefined) {
        findings.push(ctx.report("fail", "full-name", { key, raw: v.value, where, short }, fix(short, `Set ${key} to "${short}".`)));
      } else if (zoneRegion !== undefined) {
        findings.push(ctx.report("fail", "zone-not-location", { raw: v.value, where, suggested: zoneRegion }, fix(zoneRegion, `Set region to the KMS location of the key ring, e.g. "${zoneRegion}" or "global" (gcloud kms keyrings list --location ${zoneRegion} --project ${sealValue(seal, "project") ?? "<PROJECT>"}).`)));
      } else if (!isValidId(key, value)) {
        const what = { project: "project id", region: "location", key_ring: "key ring id ([a-zA-Z0-9_-], at most 63)", crypto_key: "crypto key id ([a-zA-Z0-9_-], at most 63)" }[key];
        findings.push(ctx.report("fail", "invalid-id", { key, raw: v.value, where, what }, { cause: "seal_config_error" }));
      }
    }
    const { project, region, key_ring, crypto_key } = { project: seal.values.project!.value, region: seal.values.region!.value, key_ring: seal.values.key_ring!.value, crypto_key: seal.values.crypto_key!.value };
    const name = cryptoKeyName(project, region, key_ring, crypto_key);
    if (findings.length > 0) return { findings };
    findings.push(ctx.report("pass", "values", { name }, {
      details: { project, project_from: from.project, region, region_from: from.region, key_ring, key_ring_from: from.key_ring, crypto_key, crypto_key_from: from.crypto_key },
    }));
    return {
      findings,
      facts: {
        project, location: region, keyRing: key_ring, cryptoKey: crypto_key,
        keyName: name, keyRingName: keyRingName(project, region, key_ring),
        keyNotRequired: sealValue(seal, "key_not_required") === "true",
        from,
      },
    };
  },
});
