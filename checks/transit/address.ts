// Address and TLS: the address the seal's API client dials (the stanza, the wrapper's variables or the API
// client's, src/transit/settings.ts), reachable within the deadline, TLS verified with the configured CA,
// client certificate and server name, the server certificate's expiry, and tls_skip_verify. One
// unauthenticated GET sys/health proves it and is handed on to transit.health.
import { defineCheck, type Finding } from "../../src/check.js";
import { resolveTransitSettings, describeSource, isTrue } from "../../src/transit/settings.js";
import { effectiveAddress, failureText, transitCall } from "../../src/transit/client.js";


const EXPIRY_WARN_DAYS = 30;

export default defineCheck({
  id: "transit.address",
  title: "Transit address and TLS",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["transit"],
  messages: {
    "ok": "{address} answers ({scheme}{tls}).",
    "default-address": "No address is set (stanza, {vars}): the seal dials the API client's default {address}.",
    "agent-address": "{var}={address} replaces the seal's address {configured}: the API client sends every request to the agent.",
    "bad-address": "The address {address} cannot be used: {error}.",
    "plain-http": "{address} is plain HTTP: the seal token and the unseal keys' ciphertexts cross the network unencrypted.",
    "skip-verify": "TLS verification is off ({from}): anyone on the path can impersonate the transit cluster.",
    "tls-config": "The TLS settings cannot be loaded: {error}.",
    "tls-failed": "TLS with {address} failed: {error}.",
    "unreachable": "{address} did not answer: {error}.",
    "cert-expiring": "The transit cluster's certificate ({subject}) expires on {validTo}, in {days} days.",
    "cert-expired": "The transit cluster's certificate ({subject}) expired on {validTo}.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const target = ctx.options.target?.server ?? "vault";
    const settings = resolveTransitSettings(seal, ctx.env, target);
    const findings: Finding[] = [];
    const address = effectiveAddress(settings);
    if (settings.address.from.kind === "default") {
      const vars = target === "openbao" ? "TRANSIT_WRAPPER_ADDR, VAULT_TRANSIT_SEAL_ADDR, BAO_ADDR, VAULT_ADDR" : "VAULT_ADDR";
      findings.push(ctx.report("warn", "default-address", { address, vars }, { fix: { summary: "Set address in the seal \"transit\" stanza to the transit cluster's URL.", commands: [] } }));
    }
    if (settings.agentAddress) {
      findings.push(ctx.report("warn", "agent-address", { var: (settings.agentAddress.from as { name: string }).name, address: settings.agentAddress.value, configured: settings.address.value }));
    }
    let scheme: string;
    try {
      scheme = new URL(address).protocol.replace(/:$/, "");
      if (scheme !== "http" && scheme !== "https") throw new Error(`unsupported protocol scheme "${scheme}"`);
    } catch (err) {
      findings.push(ctx.report("fail", "bad-address", { address, error: (err as Error).message }, { cause: "seal_config_error" }));
      return { findings };
    }
    if (scheme === "http") findings.push(ctx.report("warn", "plain-http", { address }));
    if (scheme === "https" && isTrue(settings.skipVerify)) {
      findings.push(ctx.report("warn", "skip-verify", { from: describeSource(settings.skipVerify!.from) }, { fix: { summary: "Give the transit cluster's CA in tls_ca_cert and remove tls_skip_verify.", commands: [] } }));
    }
    const health = await transitCall(settings, "GET", "sys/health", undefined, { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal, auth: false });
    if (!health.ok) {
      if (health.kind === "config") {
        const code = health.code === "ERR_INVALID_URL" ? "bad-address" : "tls-config";
        findings.push(ctx.report("fail", code, { address, error: health.message }, { cause: "seal_config_error" }));
      } else if (health.kind === "tls") {
        findings.push(ctx.report("fail", "tls-failed", { address, error: failureText(health) }, { cause: "tls_error", details: { tls_code: health.code } }));
      } else {
        findings.push(ctx.report("error", "unreachable", { address, error: failureText(health) }, { cause: "network_unreachable", details: { error_code: health.code } }));
      }
      return { findings };
    }
    const cert = health.cert;
    if (cert) {
      if (cert.daysLeft < 0) findings.push(ctx.report("fail", "cert-expired", { subject: cert.subject, validTo: cert.validTo }));
      else if (cert.daysLeft <= EXPIRY_WARN_DAYS) findings.push(ctx.report("warn", "cert-expiring", { subject: cert.subject, validTo: cert.validTo, days: cert.daysLeft }));
    }
    findings.push(ctx.report("pass", "ok", { address, scheme, tls: cert ? `, certificate ${cert.subject} valid until ${cert.validTo}` : "" }, { details: { http_status: health.status } }));
    return { findings, facts: { settings, health } };
  },
});
