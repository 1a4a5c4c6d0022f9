// The three key permissions Vault uses, each tried for real (Key Vault has no "test permissions" call):
// get (startup GetKey, from azurekeyvault.key), wrapKey (Encrypt: init, rekey, seal re-wrapping) and unwrapKey
// (Decrypt: every unseal) of a random 32-byte probe with RSA-OAEP-256. Under Azure RBAC a denial says
// ForbiddenByRbac, under access policies ForbiddenByPolicy / AccessDenied; the fix is printed for the model the
// vault uses (azurekeyvault.vault-properties), with the principal's real object id.
import { randomBytes } from "node:crypto";
import { defineCheck, type Finding } from "../../src/check.js";
import { callOptions, errorText, grantFix, isPermissionDenied, openCredential, openCryptoClient, versionOf, viewAzureError, type AzureErrorView } from "../../src/azure/session.js";

export default defineCheck({
  id: "azurekeyvault.permissions",
  title: "Key permissions: get, wrapKey, unwrapKey",
  scope: "seal",
  blocksStart: true,
  oldSeal: "skip",
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  uses: ["azurekeyvault.key", "azurekeyvault.vault-properties"],
  messages: {
    "granted": "{principal} may {ops} key {name} ({model}).",
    "denied": "{principal} may not {op} key {name}: {error}. Vault cannot {action}.",
    "model": "The denial says {inner}: the vault uses {model}.",
    "no-key": "The key does not exist: no permissions to try.",
    "untestable": "{op} could not be tried: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const key = ctx.fact("azurekeyvault.key");
    const vault = ctx.fact("azurekeyvault.vault-properties");
    if (key && !key.found) return { findings: [ctx.report("skip", "no-key")] };
    const principal = creds.objectId ? `Object id ${creds.objectId}` : creds.label;
    const name = cfg.keyName;
    const credential = await openCredential(ctx, creds.choice);
    const denied: { op: string; view: AzureErrorView }[] = [];
    const untestable: Finding[] = [];
    const ok: string[] = key?.getDenied ? [] : ["get"];
    // wrapKey as Vault's Encrypt: no version, Key Vault uses the latest.
    let wrapped: { result: Uint8Array; version: string } | undefined;
    try {
      const latest = await openCryptoClient(ctx, cfg, credential, "");
      const w = await latest.wrapKey("RSA-OAEP-256", randomBytes(32), callOptions(ctx, 3));
      wrapped = { result: w.result, version: versionOf(w.keyID) || key?.version || "" };
      ok.push("wrapKey");
    } catch (err) {
      const view = viewAzureError(err);
      if (isPermissionDenied(view)) denied.push({ op: "wrapKey", view });
      else untestable.push(ctx.report(view.network || view.cause === "unknown" ? "error" : "skip", "untestable", { op: "wrapKey", error: errorText(view) }, { cause: view.cause }));
    }
    // unwrapKey as Vault's Decrypt: the recorded version. Without a wrapped probe, try a well-formed but foreign
    // ciphertext: a caller without the permission gets 403 before Key Vault looks at the bytes.
    try {
      const client = await openCryptoClient(ctx, cfg, credential, wrapped?.version ?? key?.version ?? "");
      await client.unwrapKey("RSA-OAEP-256", wrapped?.result ?? randomBytes(key?.kty && /RSA/.test(key.kty) ? 384 : 256), callOptions(ctx, 3));
      ok.push("unwrapKey");
    } catch (err) {
      const view = viewAzureError(err);
      if (isPermissionDenied(view)) denied.push({ op: "unwrapKey", view });
      else if (wrapped || view.network || view.status === undefined) untestable.push(ctx.report(view.network || view.cause === "unknown" ? "error" : "skip", "untestable", { op: "unwrapKey", error: errorText(view) }, { cause: view.cause }));
      else ok.push("unwrapKey"); // Key Vault looked at the foreign bytes, so the caller may unwrap.
    }
    const findings: Finding[] = [];
    const model = vault ? (vault.rbac ? "Azure RBAC" : "access policies") : "permission model unknown";
    if (key?.getDenied) denied.unshift({ op: "get", view: { code: "Forbidden", message: "GetKey was refused (see azurekeyvault.key)", network: false, cause: "permission_denied", status: 403 } });
    if (ok.length > 0 && denied.length === 0 && untestable.length === 0) findings.push(ctx.report("pass", "granted", { principal, ops: ok.join(", "), name, model }));
    const fix = grantFix(cfg, creds, vault, `Grant ${principal} the key permissions Vault needs.`);
    for (const d of denied) {
      const action = d.op === "get" ? "start (GetKey at startup)" : d.op === "wrapKey" ? "initialise, rekey or re-wrap its root key" : "unseal";
      findings.push(ctx.report("fail", "denied", { principal, op: d.op, name, error: errorText(d.view), action }, { cause: "permission_denied", fix: findings.some((f) => f.fix) ? undefined : fix }));
    }
    const inner = denied.map((d) => d.view.innerCode).find((c) => c === "ForbiddenByRbac" || c === "ForbiddenByPolicy" || c === "AccessDenied");
    if (inner && !vault) findings.push(ctx.report("warn", "model", { inner, model: inner === "ForbiddenByRbac" ? "Azure RBAC (assign a role)" : "access policies (az keyvault set-policy)" }));
    findings.push(...untestable);
    return { findings };
  },
});
