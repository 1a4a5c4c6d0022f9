// env://, file:// and string:// values (Vault's parseutil.ParsePath): a missing variable or unreadable file
// leaves the wrapper with an empty credential.
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, locationOf } from "../../src/config/seal-config.js";

export default defineCheck({
  id: "config.indirection",
  title: "env:// and file:// values",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "none": "No env:// or file:// values in this seal.",
    "resolved": "{key} = {raw} ({where}) resolves.",
    "unresolved": "{key} = {raw} ({where}) cannot be resolved: {error}. Vault will see an empty {key}.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const findings: Finding[] = [];
    for (const [key, v] of Object.entries(seal.values)) {
      if (!v.indirection) continue;
      const args = { key, raw: v.indirection, where: formatProvenance(v.from), error: v.resolveError };
      findings.push(v.resolveError
        ? ctx.report("fail", "unresolved", args, { cause: "seal_config_error", location: locationOf(v.from), fix: { summary: `Make ${v.indirection} resolvable where Vault runs (set the variable or mount the file).`, commands: [] } })
        : ctx.report("pass", "resolved", args));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "none"));
    return { findings };
  },
});
