// RuleTester-style tables: a config (and environment) in, the finding codes out.
import { describe, expect, it } from "vitest";
import sealLayout from "../../checks/config/seal-layout.js";
import requiredKeys from "../../checks/config/required-keys.js";
import ignoredKeys from "../../checks/config/ignored-keys.js";
import envOverrides from "../../checks/config/env-overrides.js";
import indirection from "../../checks/config/indirection.js";
import { codesFor } from "../support/check-harness.js";

const AWS = 'seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n';
const GCP = 'seal "gcpckms" {\n  project = "p"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n}\n';

type Case = [name: string, config: string, expected: string[], opts?: { env?: NodeJS.ProcessEnv; enterprise?: boolean; seal?: number }];

const cases: Record<string, [any, Case[]]> = {
  "config.seal-layout": [sealLayout, [
    ["no seal block: Shamir", 'storage "raft" {\n  path = "/x"\n}\n', ["warn:no-seal"]],
    ["one enabled awskms seal", AWS, ["pass:single-seal"]],
    ["migration: one disabled, one enabled", AWS.replace("{", '{\n  disabled = "true"') + GCP, ["pass:migration"]],
    ["auto -> Shamir: only a disabled seal", AWS.replace("{", "{\n  disabled = true"), ["pass:migration-to-shamir"]],
    ["two enabled seals on CE", AWS + AWS.replace('"awskms" {', '"awskms" {\n  name = "dr"'), ["fail:several-enabled"]],
    ["two enabled seals on Enterprise: seal HA", AWS + AWS.replace('"awskms" {', '"awskms" {\n  name = "dr"'), ["pass:seal-ha"], { enterprise: true }],
    ["three seals on CE", AWS + AWS.replace("{", '{\n  disabled = true\n  name = "a"') + AWS.replace("{", '{\n  disabled = true\n  name = "b"'), ["fail:too-many-seals"]],
    ["all disabled", AWS.replace("{", "{\n  disabled = true") + GCP.replace("{", "{\n  disabled = true"), ["fail:all-disabled"]],
    ["duplicate names", AWS.replace("{", "{\n  disabled = true\n  name = \"x\"") + GCP.replace("{", '{\n  name = "x"'), ["fail:duplicate-name"]],
    ["invalid name", AWS.replace("{", '{\n  name = "my seal"'), ["fail:invalid-name"]],
    ["invalid priority", AWS.replace("{", "{\n  priority = 0"), ["fail:invalid-priority"]],
    ["VAULT_SEAL_TYPE overrides the block's type", AWS, ["pass:single-seal", "warn:type-override"], { env: { VAULT_SEAL_TYPE: "gcpckms" } }],
    ["a seal type this version cannot check", 'seal "ocikms" {\n  key_id = "k"\n}\n', ["pass:single-seal", "error:unchecked-type"]],
  ]],
  "config.required-keys": [requiredKeys, [
    ["awskms with kms_key_id", AWS, ["pass:present"]],
    ["awskms without kms_key_id", 'seal "awskms" {\n  region = "us-east-1"\n}\n', ["fail:missing"]],
    ["awskms key id from env", 'seal "awskms" {\n}\n', ["pass:present"], { env: { VAULT_AWSKMS_SEAL_KEY_ID: "alias/x" } }],
    ["gcpckms complete", GCP, ["pass:present"]],
    ["gcpckms without key_ring and crypto_key", 'seal "gcpckms" {\n  project = "p"\n  region = "global"\n}\n', ["fail:missing", "fail:missing"]],
    ["gcpckms values from env", 'seal "gcpckms" {\n}\n', ["pass:present"], { env: { GOOGLE_PROJECT: "p", GOOGLE_REGION: "global", VAULT_GCPCKMS_SEAL_KEY_RING: "r", VAULT_GCPCKMS_SEAL_CRYPTO_KEY: "k" } }],
    ["transit without mount_path", 'seal "transit" {\n  key_name = "k"\n}\n', ["fail:missing"]],
    ["azurekeyvault without key_name", 'seal "azurekeyvault" {\n  vault_name = "v"\n}\n', ["fail:missing"]],
    ["unknown seal type", 'seal "ocikms" {\n}\n', ["skip:unknown-type"]],
  ]],
  "config.ignored-keys": [ignoredKeys, [
    ["only known keys", AWS, ["pass:none"]],
    ["kms_context on awskms is ignored by Vault", AWS.replace("{", '{\n  kms_context = "App=vault-prod"'), ["warn:kms-context-ignored"]],
    ["typos with suggestions", 'seal "awskms" {\n  aws_region = "us-east-1"\n  kms_key_id = "k"\n  regoin = "x"\n}\n', ["warn:ignored-key-suggest", "warn:ignored-key-suggest"]],
    ["a key with no near match", 'seal "gcpckms" {\n  colour = "blue"\n}\n', ["warn:ignored-key"]],
    ["common keys are known", AWS.replace("{", '{\n  name = "a"\n  priority = 1\n  disabled = false'), ["pass:none"]],
  ]],
  "config.env-overrides": [envOverrides, [
    ["nothing from env", AWS, ["pass:none"]],
    ["env sets a value the file lacks", 'seal "awskms" {\n  kms_key_id = "k"\n}\n', ["pass:from-env"], { env: { AWS_REGION: "us-east-1" } }],
    ["env overrides a different file value", AWS, ["warn:overrides-file"], { env: { AWS_REGION: "eu-west-1" } }],
    ["env repeats the file's value", AWS, ["pass:from-env"], { env: { AWS_REGION: "us-east-1" } }],
    ["two variables disagree", 'seal "awskms" {\n  kms_key_id = "k"\n}\n', ["pass:from-env", "warn:conflict"], { env: { AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-west-2" } }],
  ]],
  "config.indirection": [indirection, [
    ["no indirection", AWS, ["pass:none"]],
    ["env:// resolves", AWS.replace("{", '{\n  access_key = "env://AK"'), ["pass:resolved"], { env: { AK: "AKIAXXXXXXXXXXXXXXXX" } }],
    ["env:// missing variable", AWS.replace("{", '{\n  secret_key = "env://NOPE"'), ["fail:unresolved"]],
    ["file:// missing file", AWS.replace("{", '{\n  secret_key = "file:///nonexistent/secret"'), ["fail:unresolved"]],
  ]],
};

for (const [id, [def, table]] of Object.entries(cases)) {
  describe(id, () => {
    it("has the id under test", () => expect(def.id).toBe(id));
    it.each(table)("%s", async (_name, config, expected, opts) => {
      expect(await codesFor(def, config, opts ?? {})).toEqual(expected);
    });
  });
}
