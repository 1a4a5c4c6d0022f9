// Mount and key: sys/mounts/<mount> (the engine there is transit; the read may be denied to a least-privilege
// seal token: then error, saying what to grant) and <mount>/keys/<key> (openbao builtin/logical/transit
// path_keys.go pathPolicyRead): the key exists, supports encryption and decryption, deletion_allowed,
// min_decryption_version, latest_version. Read-only: nothing here creates a key.
import { defineCheck, type Finding } from "../../src/check.js";
import { dataOf, failureText, transitCall } from "../../src/transit/client.js";
import { joinPath } from "../../src/transit/settings.js";
import { sq, vaultCmd } from "../../src/transit/fix.js";

export default defineCheck({
  id: "transit.key",
  title: "Transit mount and key",
  scope: "seal",
  oldSeal: "decrypt-only",
  appliesTo: ["transit"],
  needs: ["transit.address"],
  uses: ["transit.token"],
  messages: {
    "mount-ok": "{mount} is a transit engine.",
    "no-mount": "There is no secrets engine at {mount} ({error}).",
    "not-transit": "{mount} is a {type} engine, not transit.",
    "mount-unreadable": "Could not read the mount {mount}: {error}.",
    "ok": "The key {key} exists: type {type}, latest version {latest}, min_decryption_version {minDecrypt}.",
    "missing": "There is no key {key} on {mount}: Vault's start-up encrypt fails (or, with a token that may create it, makes a new key that cannot decrypt what the old one wrapped).",
    "unreadable": "Could not read the key {path}: {error}.",
    "no-encryption": "The key {key} is of type {type}, which does not support {op}.",
    "deletion-allowed": "deletion_allowed is true on {key}: one `delete {path}` destroys it, and every seal that depends on it can never unseal again.",
    "min-decryption": "min_decryption_version is {minDecrypt}: anything wrapped with key versions below it can no longer be decrypted.",
    "no-settings": "mount_path and key_name are needed.",
  },
  async run(ctx) {
    const { settings } = ctx.need("transit.address");
    if (!settings.mountPath || !settings.keyName) return { findings: [ctx.report("error", "no-settings", {})] };
    const mount = joinPath(settings.mountPath.value);
    const key = settings.keyName.value;
    const addr = settings.address.value;
    const call = (path: string) => transitCall(settings, "GET", path, undefined, { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal });
    const findings: Finding[] = [];
    const m = await call(`sys/mounts/${mount}`);
    if (!m.ok) return { findings: [ctx.report("error", "mount-unreadable", { mount, error: failureText(m) }, { cause: "network_unreachable" })] };
    if (m.status === 200) {
      const type = String(dataOf(m).type ?? m.json?.type ?? "");
      if (type !== "transit") return { findings: [ctx.report("fail", "not-transit", { mount, type }, { cause: "seal_config_error" })], facts: { exists: false } };
      findings.push(ctx.report("pass", "mount-ok", { mount }));
    } else if (m.status === 400 && m.errors.some((e) => /No secret engine mount at/i.test(e))) {
      return { findings: [ctx.report("fail", "no-mount", { mount, error: m.errors.join("; ") }, { cause: "seal_config_error", fix: { summary: "Set mount_path to where transit is enabled, or enable it there.", commands: [vaultCmd(addr, "secrets list"), vaultCmd(addr, `secrets enable -path=${sq(mount)} transit`)] } })], facts: { exists: false } };
    } else {
      findings.push(ctx.report("error", "mount-unreadable", { mount, error: m.errors.join("; ") || `HTTP ${m.status}` }, { details: { http_status: m.status }, doctorPermission: `read on sys/mounts/${mount}` }));
    }
    const path = joinPath(mount, "keys", key);
    const k = await call(path);
    if (!k.ok) return { findings: [...findings, ctx.report("error", "unreadable", { path, error: failureText(k) }, { cause: "network_unreachable" })] };
    if (k.status === 404 && k.errors.some((e) => /no handler for route/i.test(e))) {
      return { findings: [...findings, ctx.report("fail", "no-mount", { mount, error: k.errors.join("; ") }, { cause: "seal_config_error" })], facts: { exists: false } };
    }
    if (k.status === 404 && k.json !== undefined) {
      return { findings: [...findings, ctx.report("fail", "missing", { key, mount }, { cause: "key_not_found", fix: { summary: "Create the key, or correct key_name / mount_path.", commands: [vaultCmd(addr, `write -f ${sq(path)}`)] } })], facts: { exists: false } };
    }
    if (k.status !== 200) return { findings: [...findings, ctx.report("error", "unreadable", { path, error: k.errors.join("; ") || `HTTP ${k.status}` }, { details: { http_status: k.status }, doctorPermission: `read on ${path}` })] };
    const d = dataOf(k);
    const type = String(d.type ?? "");
    const latest = Number(d.latest_version ?? 0);
    const minDecrypt = Number(d.min_decryption_version ?? 0);
    const deletionAllowed = d.deletion_allowed === true;
    findings.push(ctx.report("pass", "ok", { key, type, latest, minDecrypt }, { details: { type, latest_version: latest, min_decryption_version: minDecrypt, deletion_allowed: deletionAllowed } }));
    if (d.supports_encryption === false && ctx.seal?.disabled !== true) findings.push(ctx.report("fail", "no-encryption", { key, type, op: "encryption" }, { cause: "seal_config_error" }));
    if (d.supports_decryption === false) findings.push(ctx.report("fail", "no-encryption", { key, type, op: "decryption" }, { cause: "seal_config_error" }));
    if (deletionAllowed) findings.push(ctx.report("warn", "deletion-allowed", { key, path }, { fix: { summary: "Forbid deleting the key.", commands: [vaultCmd(addr, `write ${sq(joinPath(path, "config"))} deletion_allowed=false`)] } }));
    if (minDecrypt > 1) findings.push(ctx.report("warn", "min-decryption", { minDecrypt }));
    return { findings, facts: { exists: true, type, latestVersion: latest, minDecryptionVersion: minDecrypt, deletionAllowed } };
  },
});
