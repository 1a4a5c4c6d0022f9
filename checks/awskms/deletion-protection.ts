// A deleted KMS key is permanent data loss for Vault. If the key policy is readable, warn when nothing
// denies kms:ScheduleKeyDeletion and kms:DisableKey.
import { defineCheck } from "../../src/check.js";
import { callAws, createKmsClient } from "../../src/clients/aws.js";
import { clientOptions, viewAwsError, type CredentialFacts, type KeyFacts, type RegionKeyFacts } from "../../src/aws/session.js";
import type { PolicyDocument, PolicyStatement } from "../../src/iam/types.js";
import { statementMatches } from "../../src/iam/index.js";

const GUARDED = ["kms:ScheduleKeyDeletion", "kms:DisableKey"];

function deniedBySomeStatement(doc: PolicyDocument, action: string, keyArn: string): boolean {
  const list: PolicyStatement[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  // Any Deny that covers the action for at least some principal counts as a guard.
  return list.some((s) => s.Effect === "Deny" && statementMatches(s, { principalArn: "*", action, resource: keyArn, context: {} }, { checkPrincipal: false }).matches);
}

export default defineCheck({
  id: "awskms.deletion-protection",
  title: "Deletion protection",
  scope: "seal",
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials", "awskms.key-state"],
  advisory: true,
  messages: {
    "protected": "The key policy denies {actions}.",
    "unprotected": "Nothing in the key policy denies {actions}: whoever holds kms:* can delete the key, and Vault's data with it.",
    "unreadable": "Could not read the key policy: {error}.",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const key = ctx.need("awskms.key-state");
    const opts = clientOptions(ctx, region, creds);
    const { GetKeyPolicyCommand } = await import("@aws-sdk/client-kms");
    const kms = await createKmsClient(opts);
    try {
      const out = await callAws("kms", opts, (abortSignal) => kms.send(new GetKeyPolicyCommand({ KeyId: key.keyArn, PolicyName: "default" }), { abortSignal }));
      const doc = JSON.parse(out.Policy ?? "{}") as PolicyDocument;
      const missing = GUARDED.filter((a) => !deniedBySomeStatement(doc, a, key.keyArn));
      if (missing.length === 0) return { findings: [ctx.report("pass", "protected", { actions: GUARDED.join(" and ") })] };
      const account = key.keyArn.split(":")[4];
      const statement = { Sid: "DenyVaultKeyDeletion", Effect: "Deny", Principal: { AWS: "*" }, Action: GUARDED, Resource: "*", Condition: { ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${account}:role/<BREAK_GLASS_ROLE>` } } };
      return { findings: [ctx.report("warn", "unprotected", { actions: missing.join(" and ") }, {
        fix: { summary: "Add a Deny statement to the key policy so that only a break-glass role can disable or delete the key.", commands: [`# add to the key policy's Statement list, then aws kms put-key-policy --key-id ${key.keyArn} --policy-name default --policy file://key-policy.json\n${JSON.stringify(statement, null, 2)}`] },
      })] };
    } catch (err) {
      const view = viewAwsError(err);
      // Vault never reads the key policy: the doctor's own missing permission does not decide the verdict.
      const denied = view.name === "AccessDeniedException";
      return { findings: [ctx.report("error", "unreadable", { error: `${view.name}: ${view.message}` }, { cause: view.cause, ...(denied ? { doctorPermission: "kms:GetKeyPolicy" } : {}) })] };
    } finally {
      kms.destroy();
    }
  },
});
