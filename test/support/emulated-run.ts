// Starts the emulator for a scenario and runs the real CLI against it, the way a user would in two terminals.
import { startEmulator, type Emulator } from "../emulator/index.js";
import { baseEnv, runCli, type CliResult } from "./cli.js";

export interface EmulatedRun extends CliResult {
  report: any;
  emu: Emulator;
}

/** The environment a scenario needs: the emulator's variables over a clean base (IMDS only when it serves one). */
export function scenarioEnv(emu: Emulator, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return baseEnv({ ...emu.env, AWS_EC2_METADATA_DISABLED: emu.env.AWS_EC2_METADATA_DISABLED, ...extra });
}

export async function runAgainst(scenario: string, args: string[], extra: Record<string, string | undefined> = {}): Promise<EmulatedRun> {
  const emu = await startEmulator(scenario);
  try {
    const r = await runCli([...args, "--format", "json"], { env: scenarioEnv(emu, extra) });
    let report: any;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 500)}`);
    }
    return { ...r, report, emu };
  } finally {
    await emu.close();
  }
}

export function check(report: any, id: string): { status: string; findings: any[] } {
  for (const t of report.targets) for (const c of t.checks) if (c.id === id) return c;
  throw new Error(`no check ${id} in report`);
}

export function statuses(report: any, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of report.targets) for (const c of t.checks) if (c.id.startsWith(prefix)) out[c.id.slice(prefix.length)] = c.status;
  return out;
}
