// Secrets never leave the process. Known canary values are planted in every secret place — environment,
// seal stanza (literal, env://, file://), IRSA token file, a service-account key, Vault and transit tokens, an
// Azure client secret — and every command in every format is run; no output may contain a canary or a
// recognisable fragment of one (its first or last 8 characters). Access key ids may only appear masked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, baseEnv } from "../support/cli.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { scenarioEnv } from "../support/emulated-run.js";

const CANARY = {
  accessKeyLiteral: "AKIACANARYLITERAL0001",
  secretLiteral: "cAnArYsEcReTlItErAl/0000000000000000000001",
  accessKeyEnvRef: "AKIACANARYENVREF00002",
  secretFileRef: "cAnArYsEcReTfIlErEf/000000000000000000002",
  sessionTokenString: "cAnArYsEsSiOnToKeNsTrInG00000000000000000000003",
  envSecret: "cAnArYeNvSeCrEtAcCeSsKeY/0000000000000000004",
  envSessionToken: "cAnArYeNvSeSsIoNtOkEn000000000000000000000005",
  vaultToken: "hvs.cAnArYvAuLtToKeN000000000000000006",
  transitToken: "hvs.cAnArYtRaNsItToKeN0000000000000007",
  azureSecret: "cAnArYaZuReClIeNtSeCrEt~00000000000008",
  privateKeyId: "cafe0000canary0000private0000key00009",
};

let dir: string;
let configDir: string;
let migrateDir: string;
let saKeyFile: string;
let privateKeyPem: string;

function fragments(secret: string): string[] {
  return [secret, secret.slice(0, 8), secret.slice(-8)];
}

function assertClean(label: string, text: string) {
  const secrets = Object.entries(CANARY).filter(([k]) => !k.startsWith("accessKey"));
  for (const [name, value] of secrets) for (const frag of fragments(value)) expect(text, `${label}: ${name} fragment ${frag}`).not.toContain(frag);
  for (const id of [CANARY.accessKeyLiteral, CANARY.accessKeyEnvRef]) expect(text, `${label}: unmasked access key id`).not.toContain(id);
  const pemBody = privateKeyPem.split("\n")[1]!;
  expect(text, `${label}: private key`).not.toContain(pemBody.slice(0, 24));
  expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE[ ]KEY/);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vkd-canary-"));
  configDir = join(dir, "config");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  saKeyFile = join(dir, "sa.json");
  writeFileSync(saKeyFile, JSON.stringify({
    type: "service_account", project_id: "vault-prod-123456", private_key_id: CANARY.privateKeyId, private_key: privateKeyPem,
    client_email: "vault-unseal@vault-prod-123456.iam.gserviceaccount.com", client_id: "1", token_uri: "http://127.0.0.1:9/token",
  }));
  writeFileSync(join(dir, "secret"), CANARY.secretFileRef);
  mkdirSync(configDir);
  writeFileSync(join(configDir, "seals.hcl"), [
    `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n  access_key = "${CANARY.accessKeyLiteral}"\n  secret_key = "${CANARY.secretLiteral}"\n}`,
    `seal "awskms" {\n  name = "old"\n  disabled = true\n  kms_key_id = "alias/old"\n  access_key = "env://CANARY_AK"\n  secret_key = "file://${join(dir, "secret")}"\n  session_token = "string://${CANARY.sessionTokenString}"\n}`,
    `seal "transit" {\n  disabled = true\n  name = "t"\n  address = "http://127.0.0.1:9"\n  token = "${CANARY.transitToken}"\n  key_name = "k"\n  mount_path = "transit/"\n}`,
    `seal "azurekeyvault" {\n  disabled = true\n  name = "az"\n  tenant_id = "t"\n  client_id = "c"\n  client_secret = "${CANARY.azureSecret}"\n  vault_name = "v"\n  key_name = "k"\n}`,
    `seal "gcpckms" {\n  disabled = true\n  name = "g"\n  project = "vault-prod-123456"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n  credentials = "${saKeyFile}"\n}`,
  ].join("\n"));
  migrateDir = join(dir, "migrate");
  mkdirSync(migrateDir);
  writeFileSync(join(migrateDir, "seals.hcl"), [
    `seal "awskms" {\n  disabled = "true"\n  region = "us-east-1"\n  kms_key_id = "alias/old"\n  access_key = "env://CANARY_AK"\n  secret_key = "file://${join(dir, "secret")}"\n  session_token = "string://${CANARY.sessionTokenString}"\n}`,
    `seal "gcpckms" {\n  project = "vault-prod-123456"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n  credentials = "${saKeyFile}"\n}`,
  ].join("\n"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plantedEnv = () => ({
  CANARY_AK: CANARY.accessKeyEnvRef,
  AWS_SECRET_ACCESS_KEY: CANARY.envSecret,
  AWS_SESSION_TOKEN: CANARY.envSessionToken,
  VAULT_TOKEN: CANARY.vaultToken,
  AZURE_CLIENT_SECRET: CANARY.azureSecret,
  GOOGLE_APPLICATION_CREDENTIALS: saKeyFile,
  AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9",
  AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9",
  AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:9",
});

describe("no secret in any output", () => {
  const formats: string[][] = [["--format", "text"], ["--format", "text", "-v"], ["--format", "json"], ["--format", "junit"], ["--format", "sarif"], ["--format", "github"]];

  it.each(formats.map((f) => [f.join(" "), f] as const))("check %s with secrets planted everywhere", async (_label, fmt) => {
    const r = await runCli(["-c", configDir, "--enterprise", "--timeout", "8s", "--call-timeout", "1s", ...fmt], { env: baseEnv(plantedEnv()) });
    expect(r.code).toBe(1);
    assertClean(`check ${fmt.join(" ")}`, r.stdout + r.stderr);
    // The static key did reach the report, masked: the test would see it if masking broke. (JUnit, SARIF and the
    // GitHub annotations carry only what needs attention, not the passing credential finding that names it.)
    if (fmt.includes("text") || fmt.includes("json")) expect(r.stdout).toContain("AKIA…0001");
  });

  it.each([["text"], ["json"]])("gate and migrate, %s", async (fmt) => {
    for (const args of [["gate", "-c", configDir, "--wait", "2s", "--call-timeout", "500ms"], ["migrate", "-c", migrateDir, "--call-timeout", "500ms", "--timeout", "6s"]]) {
      const r = await runCli([...args, "--format", fmt], { env: baseEnv(plantedEnv()) });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(1);
      assertClean(`${args[0]} ${fmt}`, r.stdout + r.stderr);
    }
  });

  it("explain on a log that quotes the secrets", async () => {
    const log = [
      `2024-05-01T10:00:00.000Z [ERROR] core: aws_secret_access_key=${CANARY.envSecret} session_token=${CANARY.envSessionToken}`,
      `X-Vault-Token: ${CANARY.vaultToken} error: permission denied`,
      `client_secret=${CANARY.azureSecret} AADSTS7000215: Invalid client secret provided.`,
      `"private_key_id": "${CANARY.privateKeyId}", "private_key": "${privateKeyPem.replace(/\n/g, "\\n")}"`,
      `User: arn:aws:sts::111122223333:assumed-role/vault/i-0abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (access key ${CANARY.accessKeyLiteral})`,
    ].join("\n");
    for (const fmt of ["text", "json"]) {
      const r = await runCli(["explain", "--format", fmt], { env: baseEnv(plantedEnv()), input: log });
      assertClean(`explain ${fmt}`, r.stdout + r.stderr);
    }
  });

  it("policy with secrets in the environment", async () => {
    const r = await runCli(["policy", "--identity-policy", "fixtures/policies/identity-least-privilege.json", "--role-arn", "arn:aws:iam::111122223333:role/vault-unseal",
      "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "--format", "json"], { env: baseEnv(plantedEnv()) });
    expect(r.code).toBe(0);
    assertClean("policy", r.stdout + r.stderr);
  });

  describe("with working credentials from the emulator", () => {
    let emu: Emulator;
    beforeAll(async () => { emu = await startEmulator("irsa-healthy"); });
    afterAll(async () => { await emu.close(); });

    it.each(formats.map((f) => [f.join(" "), f] as const))("check %s never shows the issued session credentials or the projected token", async (_label, fmt) => {
      const r = await runCli(["-c", "fixtures/configs/awskms.hcl", ...fmt], { env: scenarioEnv(emu, { VAULT_TOKEN: CANARY.vaultToken }) });
      expect(r.code).toBe(0);
      const token = readFileSync(emu.env.AWS_WEB_IDENTITY_TOKEN_FILE!, "utf8").trim();
      const text = r.stdout + r.stderr;
      expect(text).not.toContain(token.slice(0, 40));
      expect(text).not.toContain(token.slice(-20));
      expect(text).not.toMatch(/\bASIA[A-Z0-9]{16}\b/);
      expect(text).not.toContain(CANARY.vaultToken.slice(4, 16));
    });
  });
});
