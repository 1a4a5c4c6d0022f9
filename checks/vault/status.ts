// Reads a running Vault's /v1/sys/seal-status and /v1/sys/health (unauthenticated; no token is sent) for
// the other vault.* checks. Without --vault-addr or VAULT_ADDR every vault.* check skips.
import { defineCheck, type Finding } from "../../src/check.js";
import { readHealth, readSealStatus, VaultRequestError } from "../../src/vault/status-client.js";
import type { VaultStatusFacts } from "../../src/vault/seal-status.js";

export default defineCheck({
  id: "vault.status",
  title: "Live Vault status",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  messages: {
    "reachable": "{server} {version} at {addr} (from {from}) answers: seal type {type}, storage {storage}.",
    "address-credentials": "The Vault address (from {from}) carries credentials (user:password@): they are ignored, never sent and never printed; Vault's status endpoints need none. Vault's own clients do not read credentials from VAULT_ADDR either: remove them.",
    "skip-verify": "TLS certificate verification is off ({why}): the status could come from anyone between here and {addr}.",
    "tls": "TLS to {addr} failed: {error}.",
    "unreachable": "Could not read {addr}: {error}.",
  },
  async run(ctx) {
    // `when: "vault-addr"`: the runner starts this check only with an address.
    const target = ctx.options.vault;
    if (!target) throw new Error("vault.status needs a Vault address");
    const findings: Finding[] = [];
    if (target.credentialsIgnored) findings.push(ctx.report("warn", "address-credentials", { from: target.addrFrom }));
    if (target.skipVerify && target.addr.startsWith("https:")) {
      const why = ctx.env.VAULT_SKIP_VERIFY ? `VAULT_SKIP_VERIFY=${ctx.env.VAULT_SKIP_VERIFY}` : "--tls-skip-verify";
      findings.push(ctx.report("warn", "skip-verify", { why, addr: target.addr }, {
        fix: { summary: "Verify the server instead: give the CA that signed Vault's certificate.", commands: [`vault-kms-doctor --vault-addr ${target.addr} --ca-cert /path/to/vault-ca.pem ...`] },
      }));
    }
    const opts = { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal };
    try {
      const [sealStatus, health] = await Promise.all([readSealStatus(target, opts), readHealth(target, opts)]);
      findings.unshift(ctx.report("pass", "reachable", {
        server: ctx.options.target?.server === "openbao" ? "OpenBao" : "Vault", version: sealStatus.version ?? "?", addr: target.addr, from: target.addrFrom, type: sealStatus.type, storage: sealStatus.storage_type ?? "?",
      }, { details: { addr: target.addr, seal_type: sealStatus.type, initialized: sealStatus.initialized, sealed: sealStatus.sealed, migration: sealStatus.migration, recovery_seal: sealStatus.recovery_seal, health_status: health.statusCode } }));
      return { findings, facts: { addr: target.addr, sealStatus, health } };
    } catch (err) {
      const e = err instanceof VaultRequestError ? err : new VaultRequestError(String((err as Error)?.message ?? err), "ERROR", false);
      if (e.tls) {
        findings.push(ctx.report("error", "tls", { addr: target.addr, error: e.message }, {
          fix: { summary: "Trust the CA that signed Vault's listener certificate (the same file Vault clients use as VAULT_CACERT).", commands: [`vault-kms-doctor --vault-addr ${target.addr} --ca-cert /path/to/vault-ca.pem ...`, `openssl s_client -connect ${new URL(target.addr).host} -showcerts </dev/null`] },
        }));
      } else {
        findings.push(ctx.report("error", "unreachable", { addr: target.addr, error: e.message }, {
          fix: { summary: "Check the address (scheme http/https, host, port 8200) and that Vault is running and listening there.", commands: [`curl -sS ${target.addr}/v1/sys/seal-status`] },
        }));
      }
      return { findings };
    }
  },
});
