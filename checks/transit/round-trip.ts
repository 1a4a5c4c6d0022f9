// The verdict, as Vault does it: encrypt 32 random bytes at <mount>/encrypt/<key>, decrypt the ciphertext at
// <mount>/decrypt/<key>, compare (openbao/go-kms-wrapping wrappers/transit/transit.go SetConfig's test
// encrypt; transit_client.go Encrypt/Decrypt). An encrypt on a missing key is a create operation that makes
// the key when the token may create (openbao builtin/logical/transit/path_encrypt.go pathEncryptExistenceCheck,
// Upsert): the doctor encrypts only after it saw the key exist, or saw that the token cannot create it.
// The probe is never printed.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { defineCheck } from "../../src/check.js";
import { dataOf, failureText, transitCall } from "../../src/transit/client.js";
import { joinPath } from "../../src/transit/settings.js";
import { policyAndTokenFix } from "../../src/transit/fix.js";

const START = "cannot start (its start-up test encrypt fails)";
const UNSEAL = "cannot unseal";

export default defineCheck({
  id: "transit.round-trip",
  title: "Round trip as Vault does it",
  scope: "seal",
  oldSeal: "skip", // the old seal only decrypts what is stored; a fresh encrypt proves nothing about that
  blocksStart: true,
  appliesTo: ["transit"],
  needs: ["transit.address"],
  uses: ["transit.token", "transit.key", "transit.permissions"],
  messages: {
    "ok": "Encrypt and decrypt of a random 32-byte value with {key} work, as Vault does them ({ms} ms, key version {version}).",
    "not-tried": "Not tried: the key was not seen to exist and the token may create keys, so an encrypt could create {path}.",
    "no-settings": "mount_path and key_name are needed.",
    "encrypt-denied": "Encrypt was refused: {error}. Vault's start-up test encrypt fails; it does not start. (An encrypt on a key that does not exist needs create, so a missing key answers the same.)",
    "decrypt-denied": "Decrypt was refused: {error}. Vault cannot unseal.",
    "failed": "{step} failed: {error}. Vault {consequence}.",
    "network": "{step} did not complete: {error}.",
  },
  async run(ctx) {
    const { settings } = ctx.need("transit.address");
    if (!settings.mountPath || !settings.keyName) return { findings: [ctx.report("error", "no-settings", {})] };
    const mount = settings.mountPath.value;
    const key = settings.keyName.value;
    const addr = settings.address.value;
    const enc = joinPath(mount, "encrypt", key);
    const dec = joinPath(mount, "decrypt", key);
    const keyFacts = ctx.fact("transit.key");
    const perms = ctx.fact("transit.permissions");
    const safe = keyFacts?.exists === true || (perms !== undefined && !perms.encryptCanCreate);
    // Fail closed: no doctorPermission here, an untried round trip decides the exit code.
    if (!safe) return { findings: [ctx.report("error", "not-tried", { path: joinPath(mount, "keys", key) }, { fix: { summary: `Let the doctor see the key: grant read on ${joinPath(mount, "keys", key)} to the token it uses.`, commands: [] } })] };
    const opts = { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal };
    const probe = randomBytes(32);
    const started = Date.now();
    const e = await transitCall(settings, "POST", enc, { plaintext: probe.toString("base64") }, opts);
    if (!e.ok) return { findings: [ctx.report("error", "network", { step: "Encrypt", error: failureText(e) }, { cause: e.kind === "tls" ? "tls_error" : "network_unreachable" })] };
    if (e.status !== 200) {
      const error = e.errors.join("; ") || `HTTP ${e.status}`;
      const details = { http_status: e.status, api_error: e.text };
      if (e.status === 403) return { findings: [ctx.report("fail", "encrypt-denied", { error }, { cause: "permission_denied", details, fix: policyAndTokenFix(addr, mount, key) })] };
      const cause = /encryption key not found/.test(error) ? "key_not_found" : /no handler for route/.test(error) ? "seal_config_error" : undefined;
      return { findings: [ctx.report("fail", "failed", { step: "Encrypt", error, consequence: START }, { cause, details })] };
    }
    const ciphertext = String(dataOf(e).ciphertext ?? "");
    const parts = ciphertext.split(":");
    // transit.go Encrypt: "invalid ciphertext returned" unless vault:vN:…
    if (parts.length !== 3) return { findings: [ctx.report("fail", "failed", { step: "Encrypt", error: "invalid ciphertext returned", consequence: START })] };
    const d = await transitCall(settings, "POST", dec, { ciphertext }, opts);
    if (!d.ok) return { findings: [ctx.report("error", "network", { step: "Decrypt", error: failureText(d) }, { cause: "network_unreachable" })] };
    if (d.status !== 200) {
      const error = d.errors.join("; ") || `HTTP ${d.status}`;
      const details = { http_status: d.status, api_error: d.text };
      if (d.status === 403) return { findings: [ctx.report("fail", "decrypt-denied", { error }, { cause: "permission_denied", details, fix: policyAndTokenFix(addr, mount, key) })] };
      return { findings: [ctx.report("fail", "failed", { step: "Decrypt", error, consequence: UNSEAL }, { cause: "unseal_decrypt_failed", details })] };
    }
    const back = Buffer.from(String(dataOf(d).plaintext ?? ""), "base64");
    if (back.length !== probe.length || !timingSafeEqual(back, probe)) return { findings: [ctx.report("fail", "failed", { step: "Compare", error: "decrypt returned different bytes than were encrypted", consequence: UNSEAL }, { cause: "unseal_decrypt_failed" })] };
    return { findings: [ctx.report("pass", "ok", { key, ms: Date.now() - started, version: parts[1] }, { details: { key_version: parts[1]! } })] };
  },
});
