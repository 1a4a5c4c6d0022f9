import type { CommandModule } from "../cli/command.js";
import { groupOf, loadAllChecks } from "../registry.js";
import { outputPath, singleOutputOption, writeDocument } from "../cli/single-output.js";

export const listChecksCommand: CommandModule = {
  command: "list-checks",
  describe: "List every check with its id, the seal types it applies to and what it needs",
  builder: (y) =>
    singleOutputOption(y).option("format", { alias: "f", choices: ["text", "json"] as const, default: "text", describe: "Output format" })
      // Accepted like on every other command (the list itself has no colour).
      .option("color", { type: "boolean", describe: "Colour output (--no-color to disable; the list has none)" })
      .example("$0 list-checks", "Show the checks")
      .example("$0 list-checks -f json", "Machine-readable list"),
  async run(argv) {
    const path = outputPath(argv);
    const checks = await loadAllChecks();
    const rows = checks.map((c) => ({ id: c.id, title: c.title, scope: c.scope, appliesTo: c.appliesTo, needs: c.needs ?? [], advisory: c.advisory ?? false, codes: Object.keys(c.messages) }));
    if (argv.format === "json") {
      writeDocument(JSON.stringify({ groups: [...new Set(checks.map((c) => groupOf(c.id)))], checks: rows }, null, 2), path);
      return 0;
    }
    const width = Math.max(...rows.map((r) => r.id.length));
    const lines = rows.map((r) => {
      const applies = r.scope === "config" ? "whole config" : r.appliesTo.join(", ");
      return `${r.id.padEnd(width)}  ${r.title} [${applies}]${r.needs.length ? ` needs ${r.needs.join(", ")}` : ""}${r.advisory ? " (advisory)" : ""}`;
    });
    writeDocument(lines.join("\n"), path);
    return 0;
  },
};
