// Permissions: sys/capabilities-self on the two paths the seal writes, <mount>/encrypt/<key> and
// <mount>/decrypt/<key> (openbao/go-kms-wrapping wrappers/transit/transit_client.go Encrypt/Decrypt: Logical()
// .Write, i.e. update). Could not look = error. A decrypt-only old seal needs only decrypt.
import { defineCheck, type Finding } from "../../src/check.js";
import { failureText, transitCall } from "../../src/transit/client.js";
import { joinPath } from "../../src/transit/settings.js";
import { policyCommand } from "../../src/transit/fix.js";

const grants = (caps: string[], cap: string) => caps.includes(cap) || caps.includes("root");

export default defineCheck({
  id: "transit.permissions",
  title: "Transit token permissions",
  scope: "seal",
  oldSeal: "decrypt-only",
  appliesTo: ["transit"],
  needs: ["transit.address"],
  uses: ["transit.token"],
  messages: {
    "ok": "The token may update {paths}.",
    "missing": "The token lacks update on {path} (it has: {caps}): {consequence}",
    "unreadable": "Could not read the token's capabilities (sys/capabilities-self: {error}).",
    "no-settings": "mount_path and key_name are needed to know which paths to ask about.",
  },
  async run(ctx) {
    const { settings } = ctx.need("transit.address");
    if (!settings.mountPath || !settings.keyName) return { findings: [ctx.report("error", "no-settings", {})] };
    const mount = settings.mountPath.value;
    const key = settings.keyName.value;
    const enc = joinPath(mount, "encrypt", key);
    const dec = joinPath(mount, "decrypt", key);
    const r = await transitCall(settings, "POST", "sys/capabilities-self", { paths: [enc, dec] }, { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal });
    if (!r.ok) return { findings: [ctx.report("error", "unreadable", { error: failureText(r) }, { cause: "network_unreachable" })] };
    if (r.status !== 200) return { findings: [ctx.report("error", "unreadable", { error: r.errors.join("; ") || `HTTP ${r.status}` }, { details: { http_status: r.status } })] };
    const data = (r.json?.data ?? r.json ?? {}) as Record<string, unknown>;
    const capsOf = (p: string) => (Array.isArray(data[p]) ? (data[p] as unknown[]).map(String) : []);
    const encCaps = capsOf(enc);
    const decCaps = capsOf(dec);
    const oldSeal = ctx.seal?.disabled === true;
    const addr = settings.address.value;
    const fix = {
      summary: "Grant the seal token's policy update on the key's encrypt and decrypt paths.",
      commands: [policyCommand(addr, mount, key)],
    };
    const findings: Finding[] = [];
    if (!oldSeal && !grants(encCaps, "update")) findings.push(ctx.report("fail", "missing", { path: enc, caps: encCaps.join(", ") || "none", consequence: "Vault's start-up test encrypt fails, it does not start." }, { cause: "permission_denied", fix }));
    if (!grants(decCaps, "update")) findings.push(ctx.report("fail", "missing", { path: dec, caps: decCaps.join(", ") || "none", consequence: "Vault cannot unseal." }, { cause: "permission_denied", fix }));
    if (findings.length === 0) findings.push(ctx.report("pass", "ok", { paths: oldSeal ? dec : `${enc} and ${dec}` }, { details: { encrypt: encCaps, decrypt: decCaps } }));
    return { findings, facts: { encrypt: encCaps, decrypt: decCaps, encryptCanCreate: encCaps.includes("create") || encCaps.includes("root") } };
  },
});
