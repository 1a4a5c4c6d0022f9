// The manual preflight an operator types from the usual guides, with the real `aws` CLI against the emulator:
// who am I, the key, its rotation, a round trip with an encryption context, and an IAM simulation.
// The CLI may be missing (CI) or be a pyenv shim that fails; the bench then installs it (--install) or skips.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTimed, type Timed } from "./measure.js";

export interface AwsCli {
  command: string;
  version: string;
}

const CANDIDATES = ["aws", "/usr/bin/aws"];

async function probe(): Promise<AwsCli | string> {
  const reasons: string[] = [];
  for (const command of CANDIDATES) {
    try {
      const r = await runTimed(command, ["--version"], { timeoutMs: 30_000 });
      // aws CLI v1 prints its version on stderr, v2 on stdout.
      const version = (r.stdout || r.stderr).trim().split("\n")[0] ?? "";
      if (r.code === 0 && version.startsWith("aws-cli/")) return { command, version };
      reasons.push(`${command} --version exited ${r.code}: ${version.slice(0, 120)}`);
    } catch (err) {
      reasons.push(`${command}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return reasons.join("; ");
}

/** The usable `aws` CLI, or why there is none (after trying `apt-get install -y awscli` when allowed). */
export async function findAwsCli(opts: { install: boolean; log: (line: string) => void }): Promise<AwsCli | string> {
  const found = await probe();
  if (typeof found !== "string") return found;
  if (!opts.install) return `aws CLI not available (${found}); run the bench with --install to try \`apt-get install -y awscli\``;
  if (process.getuid?.() !== 0) return `aws CLI not available (${found}) and not root, so \`apt-get install -y awscli\` was not tried`;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  opts.log("installing the Debian awscli package (apt-get install -y awscli)…");
  let install = await runTimed("apt-get", ["install", "-y", "awscli"], { env, timeoutMs: 300_000 });
  if (install.code !== 0) {
    await runTimed("apt-get", ["update"], { env, timeoutMs: 300_000 });
    install = await runTimed("apt-get", ["install", "-y", "awscli"], { env, timeoutMs: 300_000 });
  }
  if (install.code !== 0) return `apt-get install -y awscli failed (exit ${install.code}): ${install.stderr.trim().split("\n").pop() ?? ""}`;
  const after = await probe();
  return typeof after === "string" ? `awscli installed but not runnable: ${after}` : after;
}

export interface ManualStep {
  label: string;
  ms: number;
}

export interface ManualPreflight {
  totalMs: number;
  steps: ManualStep[];
}

const ROLE_ARN = "arn:aws:iam::111122223333:role/vault-unseal";

/**
 * The sequence, one command after another as typed (no thinking time counted). Throws when a step fails, so a
 * broken baseline is never reported as fast.
 */
export async function runManualPreflight(cli: AwsCli, env: NodeJS.ProcessEnv, keyId: string, context: string): Promise<ManualPreflight> {
  const dir = mkdtempSync(join(tmpdir(), "vkd-bench-aws-"));
  const steps: ManualStep[] = [];
  const aws = async (label: string, args: string[]): Promise<Timed> => {
    const r = await runTimed(cli.command, [...args, "--cli-connect-timeout", "5", "--cli-read-timeout", "10"], { env, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`aws ${label} exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
    steps.push({ label, ms: r.ms });
    return r;
  };
  try {
    await aws("sts get-caller-identity", ["sts", "get-caller-identity", "--output", "json"]);
    const described = await aws("kms describe-key", ["kms", "describe-key", "--key-id", keyId, "--output", "json"]);
    const keyArn = (JSON.parse(described.stdout) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
    // get-key-rotation-status takes a key id or ARN, not an alias.
    await aws("kms get-key-rotation-status", ["kms", "get-key-rotation-status", "--key-id", keyArn, "--output", "json"]);
    writeFileSync(join(dir, "plain.bin"), "vault-kms-doctor bench round trip");
    const encrypted = await aws("kms encrypt", ["kms", "encrypt", "--key-id", keyId, "--plaintext", `fileb://${join(dir, "plain.bin")}`, "--encryption-context", context, "--query", "CiphertextBlob", "--output", "text"]);
    // What `| base64 -d > blob.bin` does by hand.
    writeFileSync(join(dir, "blob.bin"), Buffer.from(encrypted.stdout.trim(), "base64"));
    await aws("kms decrypt", ["kms", "decrypt", "--ciphertext-blob", `fileb://${join(dir, "blob.bin")}`, "--encryption-context", context, "--query", "Plaintext", "--output", "text"]);
    const simulated = await aws("iam simulate-principal-policy", [
      "iam", "simulate-principal-policy", "--policy-source-arn", ROLE_ARN,
      "--action-names", "kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "--resource-arns", keyArn,
      "--query", "EvaluationResults[].EvalDecision", "--output", "text",
    ]);
    if (!/allowed/.test(simulated.stdout)) throw new Error(`simulate-principal-policy did not allow: ${simulated.stdout.trim()}`);
    return { totalMs: steps.reduce((n, s) => n + s.ms, 0), steps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
