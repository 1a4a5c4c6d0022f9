// An emulator scenario for auto -> auto within AWS KMS: the "healthy" account plus an old key
// (alias/vault-unseal-old). The role may Encrypt with the old key or, as with a decrypt-only policy, not.
import { loadScenario, type Scenario } from "../emulator/scenarios.js";

export const OLD_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321";

export function twoKeyScenario(opts: { oldKeyEncrypt: boolean }): Scenario {
  const s = structuredClone(loadScenario("healthy"));
  const aws = s.aws!;
  const newKey = aws.keys[0]!;
  aws.keys.push({ ...structuredClone(newKey), keyId: OLD_KEY_ID, aliases: ["alias/vault-unseal-old"], description: "Vault auto-unseal key (before the migration)" });
  const oldArn = `arn:aws:kms:${aws.region}:${aws.accountId}:key/${OLD_KEY_ID}`;
  const role = aws.roles!.find((r) => r.name === "vault-unseal")!;
  const policy = role.inlinePolicies!["vault-kms-unseal"]!;
  policy.Statement = [
    ...(Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]),
    { Sid: "VaultOldSeal", Effect: "Allow", Action: opts.oldKeyEncrypt ? ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"] : ["kms:Decrypt", "kms:DescribeKey"], Resource: oldArn },
  ] as typeof policy.Statement;
  return { ...s, name: `two-keys-${opts.oldKeyEncrypt ? "full" : "decrypt-only"}` };
}
