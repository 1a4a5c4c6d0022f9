// Runs the built CLI as a user would: a child process, real argv, real env, real exit code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built CLI the tests and the bench spawn: tsc's dist/src/cli.js, or another build named by VKD_CLI
 * (relative to the project, e.g. VKD_CLI=dist/bundle/cli.js for the published bundle, `npm run bundle`). */
export const CLI = process.env.VKD_CLI ? `${ROOT}${process.env.VKD_CLI.replace(/^\.?\//, "")}` : `${ROOT}dist/src/cli.js`;

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A clean environment: no cloud credentials or config leak in from the machine running the tests. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: "1",
    METADATA_SERVER_DETECTION: "none",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    CLOUDSDK_CONFIG: "/nonexistent/gcloud",
    CI: "true",
    // Nothing under test may reach a real cloud: unless a test points them at the emulator, every endpoint is
    // a closed loopback port (AWS_ENDPOINT_URL is the SDK's fallback below the per-service variables).
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT: "127.0.0.1:9",
    // azurekeyvault: Entra ID, the managed identity endpoint, Key Vault and Resource Manager (src/azure/session.ts hooks).
    AZURE_AUTHORITY_HOST: "https://127.0.0.1:9",
    AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:9",
    VAULT_KMS_DOCTOR_AZURE_KEYVAULT_URL: "https://127.0.0.1:9/",
    VAULT_KMS_DOCTOR_AZURE_ARM_URL: "https://127.0.0.1:9",
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? baseEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Every check's finding codes in a JSON report, as `target/check-id: code,code`. */
export function codesOf(report: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of report.targets) for (const c of t.checks) out[`${t.id}/${c.id}`] = c.findings.map((f: any) => f.code);
  return out;
}
