// moto as a second, independent AWS: the awskms checks reach the same verdict against a real moto server as
// against our emulator. Test setup creates the key in moto (the doctor itself never changes state). Named
// differences: moto has no iam:SimulatePrincipalPolicy and does not enforce key policies or key state on
// Encrypt/Decrypt, so awskms.iam-simulation / awskms.irsa-trust are left out and policy scenarios are not tried.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../emulator/scenarios.js";
import { baseEnv, runCli } from "../support/cli.js";
import { runAgainst, statuses } from "../support/emulated-run.js";
import { peerBinary } from "../support/peers.js";

const CHECKS = ["awskms.region-key", "awskms.credentials", "awskms.identity", "awskms.key-state", "awskms.rotation", "awskms.round-trip", "awskms.round-trip-context", "awskms.deletion-protection"];
const ARGS = ["-c", "fixtures/configs/awskms.hcl", "--only", ...CHECKS];
const CREDS = { AWS_ACCESS_KEY_ID: "AKIAMOTOTESTKEY00001", AWS_SECRET_ACCESS_KEY: "moto-test-secret-not-a-real-one", AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" };

let moto: ChildProcess | undefined;
let endpoint = "";

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function motoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return baseEnv({ ...CREDS, AWS_ENDPOINT_URL_KMS: endpoint, AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint, ...extra });
}

async function runOnMoto(extraArgs: string[] = []) {
  const r = await runCli([...ARGS, ...extraArgs, "--format", "json"], { env: motoEnv() });
  return { ...r, report: JSON.parse(r.stdout) };
}

beforeAll(async () => {
  const bin = peerBinary("moto_server");
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore", env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (res.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error("moto_server did not answer within 20 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  // Setup only: the healthy scenario's key, alias, key policy and rotation, created in moto.
  const { KMSClient, CreateKeyCommand, CreateAliasCommand, EnableKeyRotationCommand } = await import("@aws-sdk/client-kms");
  const kms = new KMSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY } });
  const healthyKey = loadScenario("healthy").aws!.keys[0]!;
  // moto's account is 123456789012: the policy's principals are rewritten to it.
  const policy = JSON.stringify(healthyKey.policy).replaceAll("111122223333", "123456789012");
  const key = await kms.send(new CreateKeyCommand({ Description: "vault-kms-doctor moto peer test", Policy: policy }));
  const keyId = key.KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/vault-unseal", TargetKeyId: keyId }));
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  kms.destroy();
}, 60_000);

afterAll(async () => {
  if (moto && moto.exitCode === null) {
    const closed = new Promise((r) => moto!.once("close", r));
    moto.kill("SIGTERM");
    const t = setTimeout(() => moto?.kill("SIGKILL"), 5_000);
    await closed;
    clearTimeout(t);
  }
});

describe("moto as a second AWS", () => {
  it("healthy key: same exit code and check statuses as the emulator's healthy scenario", async () => {
    const onMoto = await runOnMoto();
    const onEmulator = await runAgainst("healthy", ARGS);
    expect(onMoto.stderr).toBe("");
    expect(onMoto.code).toBe(0);
    expect(onMoto.code).toBe(onEmulator.code);
    expect(Object.keys(statuses(onMoto.report, "awskms.")).sort()).toEqual(CHECKS.map((c) => c.slice("awskms.".length)).sort());
    expect(statuses(onMoto.report, "awskms.")).toEqual(statuses(onEmulator.report, "awskms."));
  }, 60_000);

  it("a key used with and without an encryption context: both trips work on moto as on the emulator", async () => {
    const args = ["--kms-context", "App=vault-prod"];
    const onMoto = await runOnMoto(args);
    const onEmulator = await runAgainst("healthy", [...ARGS, ...args]);
    expect(onMoto.code).toBe(onEmulator.code);
    const codes = (report: any) => report.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "awskms.round-trip-context").findings.map((f: any) => f.code);
    expect(codes(onMoto.report)).toEqual(codes(onEmulator.report));
    expect(codes(onMoto.report)).toContain("both-work");
  }, 60_000);

  it("named difference: moto has no iam:SimulatePrincipalPolicy, so awskms.iam-simulation could not look (error, never pass)", async () => {
    const r = await runCli(["-c", "fixtures/configs/awskms.hcl", "--only", "awskms.iam-simulation", "--format", "json"], { env: motoEnv() });
    const sim = JSON.parse(r.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "awskms.iam-simulation");
    expect(sim.status).toBe("error");
    expect(r.code).toBe(1);
  }, 60_000);
});
