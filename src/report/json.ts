import type { RunReport } from "./report.js";
import { jsonTerminalSafe } from "./terminal-text.js";

export function renderJson(report: RunReport): string {
  return `${jsonTerminalSafe(JSON.stringify(report, null, 2))}\n`;
}
