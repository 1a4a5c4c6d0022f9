// Who Vault will be: STS GetCallerIdentity with the resolved credentials. The trap this catches: IRSA is
// configured, yet the caller is the EKS node's instance role (assumed-role/<NodeRole>/i-...), so the pod is
// not using its service-account role.
import { awsNetworkFix, unreachableText } from "../../src/fixes/network.js";
import { defineCheck } from "../../src/check.js";
import { callAws, createStsClient } from "../../src/clients/aws.js";
import { serverBehaviour } from "../../src/targets/server-behaviour.js";
import { rejectedKeyFix, workloadIdentityFix } from "../../src/fixes/workload-identity.js";
import { clientOptions, roleBehindSession, viewAwsError, type CredentialFacts, type IdentityFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export default defineCheck({
  id: "awskms.identity",
  title: "Caller identity",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials"],
  messages: {
    "caller": "Vault will call KMS as {arn} (account {account}).",
    "node-role-not-irsa": "IRSA is configured (role {irsaRole}), but the caller is {arn}: an EC2 instance role session. The pod is using the node's role, not its service account's.",
    "node-role-in-pod": "Vault runs in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set) but calls AWS as {arn}, the node's instance role: the pod has no identity of its own (no IRSA annotation on its ServiceAccount, no Pod Identity).",
    "node-role-likely": "Vault calls AWS as {arn}: an instance role session of {role}, which is named like an EKS node role. If Vault runs in a pod, its ServiceAccount has no IRSA annotation and the pod borrows the node's role.",
    "irsa-role-mismatch": "IRSA is configured for role {irsaRole}, but the caller is {arn}.",
    "failed": "GetCallerIdentity failed: {error}",
    "clock-skew": "This machine's clock is {minutes} minutes {direction} AWS's. AWS rejects signatures more than 5 minutes off (\"Signature expired\"); {server}'s {sdk} does not correct for it, so its seal fails.",
    "clock-skew-corrected": "This machine's clock is {minutes} minutes {direction} AWS's. {server}'s {sdk} corrects for it (as this tool's SDK did), but other AWS clients on this host may fail with \"Signature expired\".",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
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
          fix: (() => {
            // The token's subject names the pod's namespace and ServiceAccount: system:serviceaccount:<ns>:<sa>.
            const sub = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(creds.irsa.claims?.sub ?? "");
            const fix = workloadIdentityFix({ account: facts.account, nodeRoleName: session.roleName, vaultRoleArn: creds.irsa.roleArn, namespace: sub?.[1] ?? (ctx.env.VAULT_K8S_NAMESPACE || undefined), serviceAccount: sub?.[2] });
            return onNode
              ? { ...fix, summary: "Make the pod use its service account's role: annotate the ServiceAccount, restart the pod, and make sure AWS_ACCESS_KEY_ID / instance credentials do not take precedence." }
              : { ...fix, summary: "Check which credentials the pod really uses: the ServiceAccount's annotation must name the IRSA role." };
          })(),
        }));
      }
      const nodeSession = !creds.irsaConfigured && creds.source === "imds" && session && /^i-[0-9a-f]+$/.test(session.sessionName);
      const inPod = Boolean(ctx.env.KUBERNETES_SERVICE_HOST);
      if (nodeSession && session && (inPod || /eks|node/i.test(session.roleName))) {
        findings.push(ctx.report("warn", inPod ? "node-role-in-pod" : "node-role-likely", { arn, role: session.roleName }, {
          cause: "workload_identity_missing",
          fix: workloadIdentityFix({ account: facts.account, nodeRoleName: session.roleName, namespace: ctx.env.VAULT_K8S_NAMESPACE || undefined }),
        }));
      }
      // The SDK measures the skew from the server's Date header and retries with a corrected clock.
      const offset = Number((sts.config as { systemClockOffset?: number }).systemClockOffset ?? 0);
      if (Math.abs(offset) > 5 * 60_000) {
        // Whether the seal survives depends on the server's AWS SDK (src/targets/server-behaviour.ts).
        const server = serverBehaviour(ctx.options.target?.server);
        findings.push(ctx.report(server.correctsAwsClockSkew ? "warn" : "fail", server.correctsAwsClockSkew ? "clock-skew-corrected" : "clock-skew", {
          minutes: Math.round(Math.abs(offset) / 60_000), direction: offset > 0 ? "behind" : "ahead of", server: server.label, sdk: server.awsSdk,
        }, {
          cause: "clock_skew",
          details: { clock_offset_seconds: Math.round(offset / 1000) },
          fix: { summary: "Synchronise this machine's clock (NTP) before starting Vault.", commands: ["timedatectl status", "sudo systemctl restart chronyd   # or: sudo chronyc makestep"] },
        }));
      }
      return { findings, facts };
    } catch (err) {
      const view = viewAwsError(err);
      if (view.network) return { findings: [ctx.report("error", "failed", { error: unreachableText("sts", opts, view.name) }, { cause: view.cause, fix: awsNetworkFix("sts", opts) })] };
      const fix = rejectedKeyFix(creds.credentials.accessKeyId, creds.label, view.cause) ?? view.fix;
      return { findings: [ctx.report("fail", "failed", { error: `${view.name}: ${view.message}` }, { cause: view.cause, fix })] };
    } finally {
      sts.destroy();
    }
  },
});
