// Vault copies environment variables into the seal config, overwriting the file. Operators read the file
// and believe it; this check says which values the environment replaced and where two variables disagree.
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, locationOf } from "../../src/config/seal-config.js";
import { isSecretSealSetting } from "../../src/redact.js";

export default defineCheck({
  id: "config.env-overrides",
  title: "Environment overrides",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "none": "No environment variable changes this seal's settings.",
    "from-env": "{key} comes from {var}{same}.",
    "overrides-file": "{var}={value} overrides {key} = \"{fileValue}\" at {where}: Vault uses the environment's value.",
    "conflict": "{vars} all set {key} with different values; Vault copies them in random order (a Go map), so the value it uses can change between restarts.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const findings: Finding[] = [];
    const shown = (key: string, value: string) => (isSecretSealSetting(key) ? "<redacted>" : value);
    for (const [key, v] of Object.entries(seal.values)) {
      if (v.from.kind !== "env") continue;
      const prior = v.overridden?.[0];
      if (prior && prior.value !== v.value) {
        findings.push(ctx.report("warn", "overrides-file", {
          var: v.from.name, value: shown(key, v.value), key, fileValue: shown(key, prior.value), where: formatProvenance(prior.from),
        }, { location: locationOf(prior.from), fix: { summary: `Make the file and the environment agree: unset ${v.from.name} or change ${key} in ${formatProvenance(prior.from)}.`, commands: [`unset ${v.from.name}`] } }));
      } else {
        findings.push(ctx.report("pass", "from-env", { key, var: v.from.name, same: prior ? " (the same value as the file)" : "" }));
      }
    }
    for (const c of seal.envConflicts) {
      findings.push(ctx.report("warn", "conflict", { key: c.key, vars: c.vars.map((x) => `${x.name}=${shown(c.key, x.value)}`).join(", ") }, {
        details: { variables: c.vars.map((x) => x.name) },
        fix: { summary: `Set only one of ${c.vars.map((x) => x.name).join(", ")}.`, commands: c.vars.slice(1).map((x) => `unset ${x.name}`) },
      }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "none"));
    return { findings };
  },
});
