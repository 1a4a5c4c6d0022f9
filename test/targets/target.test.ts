// The same config, read for each target server. Vault copies the environment into the seal stanza
// (internalshared/configutil/env_var_util.go); OpenBao 2.6 has no such overlay and its wrappers read their own
// variables (openbao/go-kms-wrapping wrappers/awskms v2.4.0 SetConfig, go-secure-stdlib awsutil GetRegion), and it
// reads BAO_SEAL_TYPE before VAULT_SEAL_TYPE (openbao v2.6.0 command/server.go, api/env.go ReadBaoVariable).
import { describe, expect, it } from "vitest";
import { buildSeals, type RawSealBlock } from "../../src/config/load.js";
import { detectTarget, parseTarget } from "../../src/targets/target.js";
import { configFromText } from "../support/check-harness.js";
import { baseEnv, runCli } from "../support/cli.js";

const block = (body: Record<string, unknown>, type = "awskms"): RawSealBlock => ({ kind: "seal", type, body, file: "vault.hcl" });

describe("target selection", () => {
  it("--target with an optional version; anything else is a usage error", () => {
    expect(parseTarget("openbao@2.6")).toEqual({ server: "openbao", version: "2.6", why: "--target openbao@2.6" });
    expect(parseTarget("vault")).toMatchObject({ server: "vault" });
    expect(() => parseTarget("bao")).toThrow(/expected vault or openbao/);
  });

  it("detected from BAO_* variables, then from a plugin \"kms\" block, else Vault", () => {
    expect(detectTarget({ env: { BAO_ADDR: "https://bao:8200" } })).toMatchObject({ server: "openbao", why: expect.stringContaining("BAO_ADDR") });
    expect(detectTarget({ env: {}, kmsPlugins: [{ name: "awskms", where: "bao.hcl:1" }] })).toMatchObject({ server: "openbao", why: expect.stringContaining("bao.hcl:1") });
    expect(detectTarget({ env: { VAULT_ADDR: "https://v:8200" } })).toMatchObject({ server: "vault", why: expect.stringMatching(/^default/) });
    expect(detectTarget({ flag: "vault", env: { BAO_ADDR: "x" } })).toMatchObject({ server: "vault" });
  });

  it("a config with plugin \"kms\" is read as OpenBao's, and the report says why", async () => {
    const cfg = configFromText('plugin "kms" "awskms" {\n  command = "awskms-plugin"\n  sha256sum = "00"\n}\nseal "awskms" {\n  kms_key_id = "k"\n  region = "us-east-1"\n}\n');
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--format", "json"], { env: baseEnv() });
    expect(JSON.parse(r.stdout).target).toMatchObject({ server: "openbao", why: expect.stringContaining(`${cfg.files[0]}:1`) });
  });
});

describe("the environment overlay differs by target", () => {
  const env = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIAENVENVENVENVENV1", AWS_SECRET_ACCESS_KEY: "env-secret-env-secret" };
  const body = { kms_key_id: "alias/k", region: "us-east-1", access_key: "AKIAFILEFILEFILEFIL1", secret_key: "file-secret-file-secret" };

  it("Vault: AWS_REGION and the AWS_* keys overwrite the stanza", () => {
    const [seal] = buildSeals([block(body)], { env, server: "vault" });
    expect(seal!.values.region).toMatchObject({ value: "eu-west-1", from: { kind: "env", name: "AWS_REGION" } });
    expect(seal!.values.access_key!.value).toBe("AKIAENVENVENVENVENV1");
  });

  it("OpenBao 2.6: the stanza's region and static keys win; the key id variables still win", () => {
    const [seal] = buildSeals([block(body)], { env: { ...env, VAULT_AWSKMS_SEAL_KEY_ID: "alias/from-env" }, server: "openbao" });
    expect(seal!.values.region).toMatchObject({ value: "us-east-1", from: { kind: "file" } });
    expect(seal!.values.access_key!.value).toBe("AKIAFILEFILEFILEFIL1");
    expect(seal!.values.kms_key_id).toMatchObject({ value: "alias/from-env", from: { kind: "env", name: "VAULT_AWSKMS_SEAL_KEY_ID" } });
  });

  it("OpenBao 2.6 without a region in the stanza takes AWS_REGION", () => {
    const [seal] = buildSeals([block({ kms_key_id: "alias/k" })], { env, server: "openbao" });
    expect(seal!.values.region).toMatchObject({ value: "eu-west-1", from: { kind: "env", name: "AWS_REGION" } });
  });

  it("the seal type forced by the environment: VAULT_SEAL_TYPE for Vault, BAO_SEAL_TYPE first for OpenBao", () => {
    const both = { VAULT_SEAL_TYPE: "gcpckms", BAO_SEAL_TYPE: "transit" };
    expect(buildSeals([block(body)], { env: both, server: "vault" })[0]).toMatchObject({ type: "gcpckms", typeOverriddenBy: "VAULT_SEAL_TYPE" });
    expect(buildSeals([block(body)], { env: both, server: "openbao" })[0]).toMatchObject({ type: "transit", typeOverriddenBy: "BAO_SEAL_TYPE" });
    // ReadBaoVariable: a BAO_ variable that is set, even empty, hides the VAULT_ one.
    expect(buildSeals([block(body)], { env: { VAULT_SEAL_TYPE: "gcpckms", BAO_SEAL_TYPE: "" }, server: "openbao" })[0]!.type).toBe("awskms");
  });
});
