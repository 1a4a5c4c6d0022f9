// The target server's hints disagree (src/targets/target.ts: --target > the running server > a plugin "kms" block >
// BAO_* variables): the verdict follows the first, and the others are named here so a wrong guess is seen.
import { defineCheck } from "../../src/check.js";
import { targetLabel } from "../../src/targets/target.js";

export default defineCheck({
  id: "config.target",
  title: "Target server",
  scope: "config",
  when: "target-conflict",
  appliesTo: ["*"],
  messages: {
    "server-conflict": "The verdict speaks for {chosen} ({why}), but {hint} points to {other}: where the two differ (environment overlay, KMS plugins, clock skew, seal layout) the verdict may not hold for the server that really reads this config.",
    "version-conflict": "The verdict speaks for {chosen} ({why}), but {hint}: checks that depend on the version (plugins required from OpenBao 2.7) follow {chosen}.",
  },
  async run(ctx) {
    const target = ctx.options.target!;
    const chosen = targetLabel(target);
    const findings = (target.conflicts ?? []).map((h) => {
      const other = targetLabel({ server: h.server, version: h.version, why: h.why });
      const server = h.server !== target.server;
      const rerun = `--target ${h.server}${h.version ? `@${h.version}` : ""}`;
      return ctx.report("warn", server ? "server-conflict" : "version-conflict", { chosen, why: target.why, hint: h.why, other }, {
        details: { source: h.source, server: h.server, ...(h.version ? { version: h.version } : {}) },
        fix: { summary: `Say which server reads this config: if it is ${other}, run again with ${rerun}.`, commands: [] },
      });
    });
    return { findings };
  },
});
