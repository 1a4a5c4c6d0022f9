// The kms_context trap. Some guides add `kms_context = "App=..."` to the seal and a policy condition that
// requires it; Vault has no such setting and sends no context, so it can never unseal. With a context from
// --kms-context or the stanza, this check round-trips with it and compares with Vault's own (context-free) trip.
import { defineCheck, type Finding } from "../../src/check.js";
import { callAws, createKmsClient } from "../../src/clients/aws.js";
import { parseKeyValues } from "../../src/key-values.js";
import { kmsRoundTrip } from "../../src/aws/probe.js";
import { clientOptions, leastPrivilegePolicy, viewAwsError, type CredentialFacts, type IdentityFacts, type KeyFacts, type RegionKeyFacts, type RoundTripFacts } from "../../src/aws/session.js";
import { statementsWithContextConditions, withoutContextConditions } from "../../src/aws/context-conditions.js";
import type { PolicyDocument } from "../../src/iam/types.js";

export default defineCheck({
  id: "awskms.round-trip-context",
  title: "Round trip with kms_context",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials", "awskms.round-trip"],
  uses: ["awskms.key-state", "awskms.identity"],
  messages: {
    "no-context": "No encryption context given (--kms-context or kms_context in the stanza): nothing to compare.",
    "invalid-context": "kms_context \"{value}\" is not a list of key=value pairs.",
    "both-work": "With context {context} the round trip works too; Vault ignores kms_context and sends none, which also works.",
    "policy-requires-context": "Your policy requires an encryption context Vault will never send: with {context} Encrypt and Decrypt work, without it ({vaultError}) they do not. Vault sends no context, so it can never unseal with this policy.",
    "both-denied": "With context {context} the round trip fails as well ({error}): the problem is not the encryption context.",
    "network": "The round trip with context did not complete: {error}",
    "context-only-fails": "With context {context} the round trip fails ({error}), but Vault sends no context and its round trip works.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const stanza = seal.values.kms_context?.value;
    let context: Record<string, string> | undefined;
    try {
      context = ctx.options.kmsContext ?? (stanza ? parseKeyValues("kms_context", stanza) : undefined);
    } catch {
      return { findings: [ctx.report("fail", "invalid-context", { value: stanza })] };
    }
    if (!context) return { findings: [ctx.report("skip", "no-context")] };
    const contextText = Object.entries(context).map(([k, v]) => `${k}=${v}`).join(",");
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");

    const vault = ctx.need("awskms.round-trip");
    const keyArn = ctx.fact("awskms.key-state")?.keyArn ?? vault.keyArn ?? region.key.raw;
    const roleName = ctx.fact("awskms.identity")?.roleName ?? "<ROLE_NAME>";
    const opts = clientOptions(ctx, region, creds);
    const { GetKeyPolicyCommand } = await import("@aws-sdk/client-kms");
    const kms = await createKmsClient(opts);
    const details = { context: contextText, vault_round_trip: vault.ok ? "works" : `fails at ${vault.failedStep}: ${vault.errorName}` };
    try {
      const trip = await kmsRoundTrip(opts, region.key.raw, context);
      let error: string | undefined;
      if (trip.failedStep === "Compare") error = "Decrypt returned different bytes";
      else if (!trip.ok) {
        const view = viewAwsError(trip.error);
        if (view.network) throw trip.error;
        error = `${view.name}: ${view.message}`;
      }
      const findings: Finding[] = [];
      if (!error && vault.ok) findings.push(ctx.report("pass", "both-work", { context: contextText }, { details }));
      else if (error && vault.ok) findings.push(ctx.report("warn", "context-only-fails", { context: contextText, error }, { details }));
      else if (error) findings.push(ctx.report("fail", "both-denied", { context: contextText, error }, { details, cause: vault.cause }));
      else {
        // The verdict of this check: the policy demands a context. Print the key policy without the condition.
        let corrected: string | undefined;
        let offending: string[] = [];
        try {
          const pol = await callAws("kms", opts, (abortSignal) => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }), { abortSignal }));
          const doc = JSON.parse(pol.Policy ?? "{}") as PolicyDocument;
          offending = statementsWithContextConditions(doc);
          if (offending.length > 0) corrected = JSON.stringify(withoutContextConditions(doc), null, 2);
        } catch {
          /* key policy not readable: the condition may be in an IAM policy */
        }
        findings.push(ctx.report("fail", "policy-requires-context", { context: contextText, vaultError: vault.errorName ?? "denied" }, {
          cause: "encryption_context_mismatch",
          details: { ...details, key_policy_statements_with_context_condition: offending.length ? offending : ["(key policy not readable or clean: look in the role's IAM policies)"] },
          fix: {
            summary: "Drop every kms:EncryptionContext condition from the key policy and the role's IAM policies (Vault's awskms seal cannot send a context), and remove kms_context from the seal stanza.",
            commands: corrected
              ? [`cat > key-policy.json <<'EOF'\n${corrected}\nEOF`, `aws kms put-key-policy --key-id ${keyArn} --policy-name default --policy file://key-policy.json --region ${region.region}`]
              : [
                `aws iam list-role-policies --role-name ${roleName}   # find the statement with a kms:EncryptionContext condition, then replace it with:`,
                `aws iam put-role-policy --role-name ${roleName} --policy-name vault-kms-unseal --policy-document '${leastPrivilegePolicy(keyArn)}'`,
              ],
            docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
          },
        }));
      }
      return { findings };
    } catch (err) {
      const view = viewAwsError(err);
      return { findings: [ctx.report("error", "network", { error: `${view.name}: ${view.message}` }, { cause: view.cause })] };
    } finally {
      kms.destroy();
    }
  },
});
