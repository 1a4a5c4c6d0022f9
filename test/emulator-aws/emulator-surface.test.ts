// The emulator as a product: what it binds, what env it publishes for each credential source, what it prints,
// what it records, and that every AWS scenario file starts and stops cleanly.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { afterEach, describe, expect, test } from "vitest";
import { describeAwsScenario, startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { kmsClient } from "./clients.js";
import { awsScenario, readScenarioFile } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const scenarioDir = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));
const awsScenarioNames = readdirSync(scenarioDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .filter((name) => readScenarioFile(name).aws !== undefined);

test("the scenario set the issue asks for exists", () => {
  expect(awsScenarioNames).toEqual(
    expect.arrayContaining([
      "healthy", "denied-by-identity-policy", "denied-by-key-policy", "context-required", "explicit-deny", "key-disabled",
      "key-pending-deletion", "rotation-off", "wrong-region", "alias-missing", "asymmetric-key", "irsa-healthy", "irsa-sub-mismatch",
      "irsa-token-expired", "node-role-instead-of-irsa", "imds-healthy", "imds-hop-limit", "clock-skew", "invalid-secret",
      "unknown-access-key", "expired-session-token", "throttled", "kms-internal-error", "no-simulate-permission", "unreachable",
    ]),
  );
});

describe.each(awsScenarioNames)("scenario file %s", (name) => {
  test("is well-formed, binds only 127.0.0.1 and closes", async () => {
    const file = readScenarioFile(name);
    expect(file.name).toBe(name);
    expect(file.description).toMatch(/^[^\n]{10,200}$/);
    emu = await startAwsEmulator(file.aws!);
    expect(emu.endpoint).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.env["AWS_ENDPOINT_URL_KMS"]).toBe(emu.endpoint);
    expect(describeAwsScenario(file.aws!).length).toBeGreaterThan(1);
  });
});

test("nothing answers on another local address", async () => {
  emu = await startAwsEmulator(awsScenario("healthy"));
  // 127.0.0.2 is loopback too, but the server is bound to 127.0.0.1 only.
  await expect(fetch(`http://127.0.0.2:${emu.port}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
});

describe("published env", () => {
  test("static credentials: endpoints, region, keys; instance metadata disabled", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    expect(emu.env).toEqual({
      AWS_ENDPOINT_URL_KMS: emu.endpoint,
      AWS_ENDPOINT_URL_STS: emu.endpoint,
      AWS_ENDPOINT_URL_IAM: emu.endpoint,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7VAULT01",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLEvaultunsealSessionTokenFwoGZXIvYXdzEXAMPLE",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  });

  test("IRSA: role ARN and a token file in workDir, no static keys", async () => {
    const workDir = mkdtempSync(join(tmpdir(), "aws-emu-"));
    emu = await startAwsEmulator(awsScenario("irsa-healthy"), { workDir });
    expect(emu.env["AWS_ROLE_ARN"]).toBe("arn:aws:iam::111122223333:role/vault-unseal");
    expect(emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"]).toBe(join(workDir, "web-identity-token"));
    expect(statSync(emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"]!).mode & 0o777).toBe(0o600);
    expect(readFileSync(emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"]!, "utf8").split(".")).toHaveLength(3);
    expect(emu.env["AWS_ACCESS_KEY_ID"]).toBeUndefined();
    await emu.close();
    emu = undefined;
    // The caller's workDir is the caller's to remove.
    expect(existsSync(join(workDir, "web-identity-token"))).toBe(true);
    rmSync(workDir, { recursive: true, force: true });
  });

  test("without a workDir the token file lives in a temp dir the emulator removes on close", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-healthy"));
    const tokenFile = emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"]!;
    expect(existsSync(tokenFile)).toBe(true);
    await emu.close();
    emu = undefined;
    expect(existsSync(tokenFile)).toBe(false);
  });

  test("IMDS: the metadata endpoint instead of the disable switch", async () => {
    emu = await startAwsEmulator(awsScenario("imds-healthy"));
    expect(emu.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"]).toBe(emu.endpoint);
    expect(emu.env["AWS_EC2_METADATA_DISABLED"]).toBeUndefined();
  });

  test("Pod Identity: full URI and token file", async () => {
    emu = await startAwsEmulator(awsScenario("pod-identity-healthy"));
    expect(emu.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]).toBe(`${emu.endpoint}/v1/credentials`);
    expect(readFileSync(emu.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]!, "utf8")).toMatch(/^eyJ/);
  });
});

test("describeAwsScenario lists keys, aliases and roles", () => {
  expect(describeAwsScenario(awsScenario("healthy"))).toEqual([
    "AWS account 111122223333, client region us-east-1",
    "KMS key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (Enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, rotation on)",
    "  alias alias/vault-unseal = arn:aws:kms:us-east-1:111122223333:alias/vault-unseal",
    "IAM role arn:aws:iam::111122223333:role/vault-unseal",
    "IAM role arn:aws:iam::111122223333:role/kms-key-admin",
  ]);
});

test("the audit log records operation, principal, key, context and result in order", async () => {
  emu = await startAwsEmulator(awsScenario("denied-by-identity-policy"));
  const kms = kmsClient(emu);
  await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })).catch(() => undefined);
  await kms.send(new DescribeKeyCommand({ KeyId: "alias/nope" })).catch(() => undefined);
  expect(emu.audit.map(({ time, ...rest }) => ({ ...rest, time: typeof time }))).toEqual([
    {
      service: "kms",
      operation: "DescribeKey",
      principal: "arn:aws:sts::111122223333:assumed-role/vault-unseal/vault-0",
      key: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      result: "AccessDeniedException",
      time: "string",
    },
    { service: "kms", operation: "DescribeKey", principal: "arn:aws:sts::111122223333:assumed-role/vault-unseal/vault-0", result: "NotFoundException", time: "string" },
  ]);
});

test("an unknown path is a plain 404", async () => {
  emu = await startAwsEmulator(awsScenario("healthy"));
  expect((await fetch(`${emu.endpoint}/nothing-here`)).status).toBe(404);
});
