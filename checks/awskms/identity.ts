// Who Vault will be: STS GetCallerIdentity with the resolved credentials. The trap this catches: IRSA is
// configured, yet the caller is the EKS node's instance role (assumed-role/<NodeRole>/i-...), so the pod is
// not using its service-account role.
import { defineCheck } from "../../src/check.js";
import { callAws, createStsClient } from "../../src/clients/aws.js";
import { clientOptions, roleBehindSession, viewAwsError, type CredentialFacts, type IdentityFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export default defineCheck<IdentityFacts>({
  id: "awskms.identity",
  title: "Caller identity",
  scope: "seal",
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials"],
  messages: {
    "caller": "Vault will call KMS as {arn} (account {account}).",
    "node-role-not-irsa": "IRSA is configured (role {irsaRole}), but the caller is {arn}: an EC2 instance role session. The pod is using the node's role, not its service account's.",
    "irsa-role-mismatch": "IRSA is configured for role {irsaRole}, but the caller is {arn}.",
    "failed": "GetCallerIdentity failed: {error}",
  },
  async run(ctx) {
    const region = ctx.facts["awskms.region-key"] as RegionKeyFacts;
    const creds = ctx.facts["awskms.credentials"] as CredentialFacts;
    const opts = clientOptions(ctx, region, creds);
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const sts = await createStsClient(opts);
    try {
      const out = await callAws("sts", opts, (abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
      const arn = out.Arn ?? "";
      const session = roleBehindSession(arn);
      const facts: IdentityFacts = {
        arn,
        account: out.Account ?? "",
        roleArn: session?.roleArn,
        roleName: session?.roleName,
        userName: /:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1],
      };
      const findings = [ctx.report("pass", "caller", { arn, account: facts.account }, {
        details: { arn, account: facts.account, ...(session ? { role_arn: session.roleArn, session: session.sessionName } : {}) },
      })];
      if (creds.irsaConfigured && creds.irsa && session && session.roleArn !== creds.irsa.roleArn.replace(/:role\/.*\//, ":role/")) {
        const onNode = /^i-[0-9a-f]+$/.test(session.sessionName);
        findings.push(ctx.report("fail", onNode ? "node-role-not-irsa" : "irsa-role-mismatch", { irsaRole: creds.irsa.roleArn, arn }, {
          cause: onNode ? "web_identity_failed" : "assume_role_denied",
          fix: {
            summary: onNode
              ? "Make the pod use its service account's role: annotate the ServiceAccount, restart the pod, and make sure AWS_ACCESS_KEY_ID / instance credentials do not take precedence."
              : "Check which credentials the pod really uses.",
            commands: [`kubectl -n <NAMESPACE> annotate serviceaccount <VAULT_SA> --overwrite eks.amazonaws.com/role-arn=${creds.irsa.roleArn}`, "kubectl -n <NAMESPACE> rollout restart statefulset/vault"],
          },
        }));
      }
      return { findings, facts };
    } catch (err) {
      const view = viewAwsError(err);
      return { findings: [ctx.report(view.network ? "error" : "fail", "failed", { error: `${view.name}: ${view.message}` }, { cause: view.cause, fix: view.fix })] };
    } finally {
      sts.destroy();
    }
  },
});
