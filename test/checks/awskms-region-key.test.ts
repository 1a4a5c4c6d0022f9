// awskms.region-key without any network: where the region comes from, the form of kms_key_id, ARN region
// mismatches and the stray characters a Helm list leaves in a value.
import { describe, expect, it } from "vitest";
import regionKey from "../../checks/awskms/region-key.js";
import { codesFor, configFromText, runCheck } from "../support/check-harness.js";

const seal = (body: string) => `seal "awskms" {\n${body}\n}\n`;
const NO_IMDS = { AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent" };

describe("awskms.region-key", () => {
  it.each([
    ["alias name in the stanza's region", seal('  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"'), ["pass:region"]],
    ["key ARN in another region", seal('  region = "us-east-1"\n  kms_key_id = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"'), ["pass:region", "fail:arn-region-mismatch"]],
    ["trailing comma from a Helm list", seal('  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal,"'), ["pass:region", "fail:stray-characters"]],
    ["not a key id at all", seal('  region = "us-east-1"\n  kms_key_id = "vault-unseal"'), ["pass:region", "fail:unknown-form"]],
    ["no region anywhere", seal('  kms_key_id = "alias/vault-unseal"'), ["fail:no-region"]],
    ["a VPC endpoint", seal('  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n  endpoint = "https://vpce-0abc.kms.us-east-1.vpce.amazonaws.com"'), ["pass:region", "pass:endpoint"]],
  ])("%s", async (_name, text, expected) => {
    expect(await codesFor(regionKey, text, { env: NO_IMDS })).toEqual(expected);
  });

  it("suggests the cleaned value and says where the region came from", async () => {
    const config = configFromText(seal('  kms_key_id = "alias/vault-unseal, "'), { AWS_REGION: "eu-west-1" });
    const result = await runCheck(regionKey, config, { env: { ...NO_IMDS, AWS_REGION: "eu-west-1" } });
    const [region, stray] = result.checks[0]!.findings;
    expect(region!.args).toMatchObject({ region: "eu-west-1", from: "env AWS_REGION" });
    expect(stray!.fix!.commands[0]).toContain('kms_key_id = "alias/vault-unseal"');
  });
});
