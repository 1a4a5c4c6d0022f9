// An independent client agreeing with ours: the real `aws` CLI (botocore), configured only by the emulator's env,
// encrypts with an encryption context and decrypts; a wrong context fails the same way.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { awsScenario } from "./scenario-files.js";

function probeAwsCli(): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync("aws", ["--version"], { encoding: "utf8", timeout: 15_000 });
  if (probe.error) return { ok: false, reason: `aws CLI not runnable: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, reason: `aws --version exited ${probe.status}: ${(probe.stderr || probe.stdout).trim().split("\n")[0]}` };
  return { ok: true, version: (probe.stdout || probe.stderr).trim() };
}

const cli = probeAwsCli();
const title = cli.ok ? `aws CLI (${cli.version})` : `aws CLI — skipped: ${cli.reason}`;

describe.skipIf(!cli.ok)(title, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "aws-cli-test-"));
    emu = await startAwsEmulator(awsScenario("healthy"), { workDir: dir });
    // Only the emulator's env plus an empty home: no user profile, config or credentials file may leak in.
    env = {
      PATH: process.env["PATH"],
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
      ...emu.env,
    };
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Asynchronous on purpose: the emulator runs in this process, so a synchronous spawn would block its answers.
  const aws = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile("aws", [...args, "--cli-connect-timeout", "5", "--cli-read-timeout", "10"], { env, encoding: "utf8", timeout: 25_000 }, (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  test("kms encrypt --encryption-context, then decrypt with and without the context", async () => {
    writeFileSync(join(dir, "plain.bin"), "vault root key material");
    const encrypted = await aws("kms", "encrypt", "--key-id", "alias/vault-unseal", "--plaintext", `fileb://${join(dir, "plain.bin")}`, "--encryption-context", "App=vault-prod", "--output", "json");
    expect(encrypted.stderr).toBe("");
    const { CiphertextBlob, KeyId } = JSON.parse(encrypted.stdout) as { CiphertextBlob: string; KeyId: string };
    expect(KeyId).toBe("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    writeFileSync(join(dir, "blob.bin"), Buffer.from(CiphertextBlob, "base64"));

    const decrypted = await aws("kms", "decrypt", "--ciphertext-blob", `fileb://${join(dir, "blob.bin")}`, "--encryption-context", "App=vault-prod", "--output", "json");
    expect(decrypted.stderr).toBe("");
    expect(Buffer.from((JSON.parse(decrypted.stdout) as { Plaintext: string }).Plaintext, "base64").toString()).toBe("vault root key material");

    const withoutContext = await aws("kms", "decrypt", "--ciphertext-blob", `fileb://${join(dir, "blob.bin")}`);
    expect(withoutContext.status).not.toBe(0);
    expect(withoutContext.stderr).toContain("An error occurred (InvalidCiphertextException) when calling the Decrypt operation");
  });

  test("sts get-caller-identity names the session", async () => {
    const out = await aws("sts", "get-caller-identity", "--output", "json");
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toMatchObject({ Account: "111122223333", Arn: "arn:aws:sts::111122223333:assumed-role/vault-unseal/vault-0" });
  });
});
