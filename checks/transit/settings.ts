// Transit-specific config lint, no network: which values the seal's client really uses and where they come
// from (src/transit/settings.ts cites the sources). The trap: with no token in the stanza, the API client
// takes BAO_TOKEN / VAULT_TOKEN from the *server's* environment (openbao api/client.go NewClient), so an
// operator's or a sidecar's token silently becomes the seal token; on OpenBao, TRANSIT_WRAPPER_TOKEN /
// VAULT_TRANSIT_SEAL_TOKEN (and _ADDR) even replace the stanza's values (openbao/go-kms-wrapping
// wrappers/transit/transit_client.go newTransitClient).
import { defineCheck, type Finding } from "../../src/check.js";
import { resolveTransitSettings, describeSource } from "../../src/transit/settings.js";
import { serverBehaviour } from "../../src/targets/server-behaviour.js";

export default defineCheck({
  id: "transit.settings",
  title: "Transit seal settings",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["transit"],
  messages: {
    "ok": "{server} uses address {address}, mount_path {mount}, key_name {key}, the token from {tokenFrom}.",
    "token-from-env": "The stanza has no token: {server} takes the seal token from the server's own environment variable {var}. Any token put there for another purpose silently becomes the seal token.",
    "overrides-file": "{var} replaces the stanza's {key}{where}: {server} uses the environment's value.",
    "unresolved": "{error}",
    "mount-path-form": "mount_path {mount} names an API path, not a mount: the seal would call {path}.",
    "namespace-from-env": "namespace comes from {from}.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const target = ctx.options.target?.server ?? "vault";
    const server = serverBehaviour(ctx.options.target?.server).label;
    const s = resolveTransitSettings(seal, ctx.env, target);
    const findings: Finding[] = [];
    for (const error of s.resolveErrors) findings.push(ctx.report("fail", "unresolved", { error }, { cause: "seal_config_error" }));
    const fileHas = (k: string) => seal.values[k] !== undefined && (seal.values[k]!.from.kind !== "env" || (seal.values[k]!.overridden ?? []).some((o) => o.from.kind !== "env"));
    if (s.token?.from.kind === "env") {
      const v = s.token.from.name;
      if (!fileHas("token") && /^(BAO|VAULT)_TOKEN$/.test(v)) {
        findings.push(ctx.report("warn", "token-from-env", { server, var: v }, { details: { variable: v }, fix: { summary: `Put the seal token in the stanza (token = "env://…" or "file://…" with a name used for nothing else), and unset ${v} in the server's environment.`, commands: [`unset ${v}`] } }));
      } else if (fileHas("token")) {
        findings.push(ctx.report("warn", "overrides-file", { var: v, key: "token", where: "", server }, { fix: { summary: `Unset ${v} so that the stanza's token is used, or remove token from the stanza.`, commands: [`unset ${v}`] } }));
      }
    }
    if (target === "openbao" && s.address.from.kind === "env" && /^(TRANSIT_WRAPPER|VAULT_TRANSIT_SEAL)_ADDR$/.test(s.address.from.name) && fileHas("address")) {
      findings.push(ctx.report("warn", "overrides-file", { var: s.address.from.name, key: "address", where: ` (${seal.values.address?.value ?? ""})`, server }, { fix: { summary: `Unset ${s.address.from.name}.`, commands: [`unset ${s.address.from.name}`] } }));
    }
    if (s.mountPath && /(^|\/)(encrypt|decrypt|keys)(\/|$)|^v1\//.test(s.mountPath.value.replace(/^\/+/, ""))) {
      findings.push(ctx.report("fail", "mount-path-form", { mount: s.mountPath.value, path: `${s.mountPath.value.replace(/\/+$/, "")}/encrypt/${s.keyName?.value ?? "<key>"}` }, { cause: "seal_config_error" }));
    }
    if (s.namespace?.from.kind === "env") findings.push(ctx.report("pass", "namespace-from-env", { from: describeSource(s.namespace.from) }));
    findings.push(ctx.report("pass", "ok", {
      server, address: s.address.value, mount: s.mountPath?.value ?? "(none)", key: s.keyName?.value ?? "(none)", tokenFrom: s.token ? describeSource(s.token.from) : "nowhere",
    }, { details: { address_from: describeSource(s.address.from), token_from: s.token ? describeSource(s.token.from) : "none", target } }));
    return { findings };
  },
});
