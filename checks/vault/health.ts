// What /v1/sys/health's status code says about this node (default codes,
// https://developer.hashicorp.com/vault/api-docs/system/health).
import { defineCheck } from "../../src/check.js";
import { HEALTH_CODES, type VaultStatusFacts } from "../../src/vault/seal-status.js";
import { expectedSeal } from "../../src/vault/expected-seal.js";

export default defineCheck({
  id: "vault.health",
  title: "Health status code",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "code": "GET /v1/sys/health answered {code}: {meaning}.",
    "unknown-code": "GET /v1/sys/health answered {code}, which is not one of Vault's default health codes (a proxy or load balancer may be answering).",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const { statusCode, body } = facts.health;
    const meaning = HEALTH_CODES[statusCode];
    const details = { status_code: statusCode, state: meaning?.state ?? "unknown", standby: body.standby ?? null, performance_standby: body.performance_standby ?? null };
    if (!meaning) return { findings: [ctx.report("warn", "unknown-code", { code: statusCode }, { details })] };
    let status = meaning.status;
    // Sealed is expected of a Shamir Vault after a restart; it is a failure only when the KMS should have unsealed it.
    if (statusCode === 503 && expectedSeal(ctx.config).type === "shamir") status = "warn";
    if (statusCode === 503 && facts.sealStatus?.migration) status = "warn";
    return { findings: [ctx.report(status, "code", { code: statusCode, meaning: meaning.meaning }, { details })] };
  },
});
