// The seal token: auth/token/lookup-self (allowed by the default policy). At start-up the wrapper renews the
// token once (auth/token/renew-self; a failure only disables renewal) and keeps renewing it with a lifetime
// watcher unless disable_renewal (openbao/go-kms-wrapping wrappers/transit/transit_client.go newTransitClient).
// A token that reaches its max TTL, or that is not renewed, expires: the running server keeps going, the next
// restart cannot unseal.
import { defineCheck, type Finding } from "../../src/check.js";
import { dataOf, failureText, transitCall } from "../../src/transit/client.js";
import { describeSource, isTrue } from "../../src/transit/settings.js";
import { policyAndTokenFix } from "../../src/transit/fix.js";

/** A token that expires sooner than this without renewal is "short". */
const SHORT_TTL_S = 24 * 3600;

function fixToken(addr: string, mount: string, key: string) {
  return policyAndTokenFix(addr, mount, key);
}

export default defineCheck({
  id: "transit.token",
  title: "Transit seal token",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["transit"],
  needs: ["transit.address"],
  messages: {
    "no-token": "The seal has no token (stanza{vars}): every transit request is refused.",
    "from-env": "The seal token comes from {from}, not from the stanza.",
    "rejected": "The transit cluster refuses the token (lookup-self: {error}): it is invalid, expired or revoked, or has no default policy.",
    "unreadable": "Could not look up the token: {error}.",
    "ok": "The token is valid: policies {policies}, {lifetime}.",
    "root": "The seal token has the root policy: a leak gives away the whole transit cluster.",
    "expires": "The token has an explicit max TTL and dies at {expireTime} (in {hours} h) whatever renews it; after that the next restart cannot unseal.",
    "not-periodic": "The token is not periodic: the seal renews it, but only up to its max TTL; then the next restart cannot unseal.",
    "not-renewable": "The token is not renewable and expires at {expireTime} (in {hours} h); after that the next restart cannot unseal.",
    "renewal-disabled": "disable_renewal is set and the token expires at {expireTime} (in {hours} h): nothing renews it, the next restart after that cannot unseal.",
    "not-orphan": "The token is not an orphan: revoking its parent token revokes it, and the seal with it.",
  },
  async run(ctx) {
    const { settings } = ctx.need("transit.address");
    const addr = settings.address.value;
    const mount = settings.mountPath?.value ?? "transit";
    const key = settings.keyName?.value ?? "<KEY_NAME>";
    if (!settings.token) {
      const vars = settings.target === "openbao" ? ", TRANSIT_WRAPPER_TOKEN, VAULT_TRANSIT_SEAL_TOKEN, BAO_TOKEN, VAULT_TOKEN" : ", VAULT_TOKEN";
      return { findings: [ctx.report("fail", "no-token", { vars }, { cause: "seal_config_error", fix: fixToken(addr, mount, key) })] };
    }
    const findings: Finding[] = [];
    if (settings.token.from.kind === "env") findings.push(ctx.report("pass", "from-env", { from: describeSource(settings.token.from) }));
    const r = await transitCall(settings, "GET", "auth/token/lookup-self", undefined, { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal });
    if (!r.ok) return { findings: [...findings, ctx.report("error", "unreadable", { error: failureText(r) }, { cause: "network_unreachable" })] };
    if (r.status === 403 || r.status === 401) {
      return { findings: [...findings, ctx.report("fail", "rejected", { error: r.errors.join("; ") || `HTTP ${r.status}` }, { cause: "expired_credentials", details: { http_status: r.status }, fix: fixToken(addr, mount, key) })] };
    }
    if (r.status !== 200) return { findings: [...findings, ctx.report("error", "unreadable", { error: r.errors.join("; ") || `HTTP ${r.status}` })] };
    const d = dataOf(r);
    const policies = Array.isArray(d.policies) ? d.policies.map(String) : [];
    const ttl = Number(d.ttl ?? 0);
    const renewable = d.renewable === true;
    const periodic = Number(d.period ?? 0) > 0;
    const orphan = d.orphan === true;
    const expireTime = typeof d.expire_time === "string" ? d.expire_time : undefined;
    const explicitMax = Number(d.explicit_max_ttl ?? 0);
    const hours = Math.round((ttl / 3600) * 10) / 10;
    const lifetime = ttl === 0 ? "never expires" : periodic ? `periodic (${Number(d.period)} s), renewed by the seal` : `expires at ${expireTime}`;
    findings.push(ctx.report("pass", "ok", { policies: policies.join(", "), lifetime }, { details: { ttl, renewable, periodic, orphan, explicit_max_ttl: explicitMax } }));
    if (policies.includes("root")) findings.push(ctx.report("warn", "root", {}, { fix: fixToken(addr, mount, key) }));
    if (ttl > 0) {
      const disabled = isTrue(settings.disableRenewal);
      if (disabled) {
        findings.push(ctx.report(ttl < SHORT_TTL_S ? "fail" : "warn", "renewal-disabled", { expireTime, hours }, { fix: { summary: "Remove disable_renewal, or use a token that does not expire between restarts.", commands: [] } }));
      } else if (!renewable) {
        findings.push(ctx.report(ttl < SHORT_TTL_S ? "fail" : "warn", "not-renewable", { expireTime, hours }, { fix: fixToken(addr, mount, key) }));
      } else if (explicitMax > 0) {
        const created = Number(d.creation_time ?? 0);
        const end = created > 0 ? created + explicitMax : Date.now() / 1000 + ttl;
        const left = end - Date.now() / 1000;
        const at = new Date(end * 1000).toISOString();
        findings.push(ctx.report(left < SHORT_TTL_S ? "fail" : "warn", "expires", { expireTime: at, hours: Math.round((left / 3600) * 10) / 10 }, { fix: fixToken(addr, mount, key) }));
      } else if (!periodic) {
        findings.push(ctx.report("warn", "not-periodic", {}, { fix: fixToken(addr, mount, key) }));
      }
    }
    if (!orphan) findings.push(ctx.report("warn", "not-orphan", {}, { fix: fixToken(addr, mount, key) }));
    return { findings, facts: { policies, ttl, renewable, periodic, orphan, expireTime } };
  },
});
