// Every emulator scenario run through the real CLI the way a new user would: the scenario's matching Vault
// config, text (no colour) and JSON, one emulator per scenario. Used by the root-cause tests and the line count
// in BENCHMARKS.md.
import { listScenarios, loadScenario } from "../emulator/scenarios.js";
import { startEmulator } from "../emulator/index.js";
import { runCli } from "./cli.js";
import { scenarioEnv } from "./emulated-run.js";

export interface ScenarioRun { scenario: string; args: string[]; code: number | null; text: string; json: any; stderr: string }

/** The config and extra env a scenario is meant to be run with. */
export function scenarioInvocation(name: string): { args: string[]; env: Record<string, string> } {
  const s = loadScenario(name);
  if (s.gcp && !s.aws) return { args: ["-c", "fixtures/configs/gcpckms.hcl"], env: {} };
  if (name === "context-required") return { args: ["-c", "fixtures/configs/awskms-kms-context.hcl"], env: {} };
  if (name === "node-role-instead-of-irsa") return { args: ["-c", "fixtures/configs/awskms.hcl"], env: { KUBERNETES_SERVICE_HOST: "127.0.0.1" } };
  if (name === "unreachable") return { args: ["-c", "fixtures/configs/awskms.hcl", "--call-timeout", "1s"], env: {} };
  return { args: ["-c", "fixtures/configs/awskms.hcl"], env: {} };
}

export async function runScenario(name: string, extraArgs: string[] = []): Promise<ScenarioRun> {
  const { args, env } = scenarioInvocation(name);
  const emu = await startEmulator(name);
  try {
    const e = scenarioEnv(emu, env);
    const [text, json] = await Promise.all([runCli([...args, ...extraArgs], { env: e }), runCli([...args, ...extraArgs, "--format", "json"], { env: e })]);
    return { scenario: name, args, code: json.code, text: text.stdout, json: JSON.parse(json.stdout), stderr: text.stderr + json.stderr };
  } finally {
    await emu.close();
  }
}

export function scenarioNames(): string[] {
  return listScenarios().map((s) => s.name);
}
