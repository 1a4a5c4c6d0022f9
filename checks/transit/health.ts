// The transit cluster itself: sys/health (openbao http/sys_health.go: 200 active, 429 standby, 472 DR
// secondary, 473 performance standby, 501 not initialised, 503 sealed). A sealed or uninitialised transit
// cluster cannot unseal anything.
import { defineCheck } from "../../src/check.js";
import { vaultCmd } from "../../src/transit/fix.js";

export default defineCheck({
  id: "transit.health",
  title: "Transit cluster health",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["transit"],
  needs: ["transit.address"],
  messages: {
    "ok": "The transit cluster is initialised and unsealed; the answering node is {role}{version}.",
    "sealed": "The transit cluster is sealed: no seal that depends on it can unseal until it is unsealed.",
    "uninitialized": "The transit cluster is not initialised.",
    "unexpected": "sys/health answered HTTP {status}{state}: not an answer of a node that serves transit requests.",
  },
  async run(ctx) {
    const { health, settings } = ctx.need("transit.address");
    const body = health.json ?? {};
    const version = typeof body.version === "string" ? ` (${body.version})` : "";
    const addr = settings.address.value;
    const s = health.status;
    if (body.initialized === false || s === 501) return { findings: [ctx.report("fail", "uninitialized", {}, { cause: "transit_unavailable", fix: { summary: "Initialise the transit cluster first.", commands: [vaultCmd(addr, "operator init")] } })] };
    if (body.sealed === true || s === 503) return { findings: [ctx.report("fail", "sealed", {}, { cause: "transit_unavailable", fix: { summary: "Unseal the transit cluster.", commands: [vaultCmd(addr, "operator unseal")] } })] };
    // 472: a DR secondary (Vault Enterprise), which serves no transit requests.
    if (s === 472 || body.replication_dr_mode === "secondary") return { findings: [ctx.report("fail", "unexpected", { status: s, state: " (DR secondary)" }, { cause: "transit_unavailable" })] };
    if (s === 429 || s === 473 || body.standby === true) return { findings: [ctx.report("pass", "ok", { role: "a standby, which forwards transit requests to the active node", version })] };
    if (s === 200 && body.initialized === true) return { findings: [ctx.report("pass", "ok", { role: "active", version }, { details: { cluster_name: String(body.cluster_name ?? "") } })] };
    return { findings: [ctx.report("error", "unexpected", { status: s, state: "" })] };
  },
});
