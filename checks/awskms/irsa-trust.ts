// IRSA: does the role's trust policy accept the pod's projected token? iam:GetRole, then the Federated OIDC provider
// and the <provider>:sub / :aud conditions against the token's iss / sub / aud. It matters most when the web
// identity exchange fails, and then the credentials check has no facts: this check reads the IRSA settings itself
// and reads the role with whatever other credentials are configured; with none, it prints the claims and the
// command to read the trust policy, so the comparison can be made by hand.
import { defineCheck, type CheckContext, type Finding } from "../../src/check.js";
import { createIamClient, type AwsClientOptions } from "../../src/clients/aws.js";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { candidateSources } from "../../src/aws/credential-sources.js";
import { readIrsaSettings, type IrsaSettings } from "../../src/aws/irsa-settings.js";
import { parseServiceAccountSubject, type JwtClaims } from "../../src/aws/jwt.js";
import { resolveCandidate } from "../../src/aws/resolve-credentials.js";
import { getRole } from "../../src/aws/role-documents.js";
import { viewAwsError, type CredentialFacts, type RegionKeyFacts } from "../../src/aws/session.js";
import { compareTrustPolicy, correctedTrustPolicy, type TrustMismatch } from "../../src/aws/trust-policy.js";
import { roleNameOf, writeFileCommand } from "../../src/policy/fix-commands.js";
import { registerSecret } from "../../src/redact.js";

const TRUST_FILE = "trust.json";
const DOCS = "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html";

function claimDetails(irsa: IrsaSettings, claims: JwtClaims): Record<string, string | string[]> {
  return { role_arn: irsa.roleArn, token_file: irsa.tokenFile, iss: claims.iss ?? "-", sub: claims.sub ?? "-", aud: claims.aud };
}

function readTrustCommand(roleName: string): string {
  return `aws iam get-role --role-name ${roleName} --query Role.AssumeRolePolicyDocument`;
}

function mismatchText(m: TrustMismatch, statement: string | undefined): string {
  const where = statement ? `statement ${statement}` : "the trust policy";
  switch (m.field) {
    case "sub":
      return `${where} expects sub ${m.expected.join(" or ")} (${m.operator}), the token says ${m.actual}`;
    case "aud":
      return `${where} expects aud ${m.expected.join(" or ")} (${m.operator}), the token says ${m.actual}`;
    case "provider":
      return `${where} trusts ${m.expected.join(", ")}, the token comes from ${m.actual}`;
    case "action":
      return `no statement allows sts:AssumeRoleWithWebIdentity`;
  }
}

/** Credentials that can read the role: the ones the credentials check resolved, else any other configured source. */
async function readerCredentials(ctx: CheckContext, region: RegionKeyFacts, creds: CredentialFacts | undefined): Promise<{ credentials?: AwsCredentialIdentity; label?: string; tried: string[] }> {
  if (creds) return { credentials: creds.credentials, label: creds.label, tried: [] };
  const tried: string[] = [];
  const others = candidateSources(ctx.seal!, ctx.env).candidates.filter((c) => c.configured && c.source !== "web-identity");
  for (const candidate of others) {
    try {
      const credentials = await resolveCandidate(candidate, ctx.seal!, { region: region.region, callTimeoutMs: ctx.options.callTimeoutMs, env: ctx.env });
      registerSecret(credentials.secretAccessKey);
      registerSecret(credentials.sessionToken);
      return { credentials, label: candidate.label, tried };
    } catch (err) {
      const view = viewAwsError(err);
      tried.push(`${candidate.label}: ${view.name}`);
    }
  }
  return { tried };
}

export default defineCheck({
  id: "awskms.irsa-trust",
  title: "IRSA trust policy",
  scope: "seal",
  appliesTo: ["awskms"],
  // Not `needs` credentials: when the web identity exchange fails that check has no facts, and this one is most useful.
  needs: ["awskms.region-key"],
  uses: ["awskms.credentials"],
  messages: {
    "not-configured": "IRSA is not configured (no role_arn / AWS_ROLE_ARN with a web identity token file): nothing to compare.",
    "token-unreadable": "The IRSA token {file} cannot be used ({problem}): nothing to compare with the trust policy.",
    "trusted": "The trust policy of role {role} accepts the pod's token: {provider}, sub {sub}, aud {aud} (statement {statement}).",
    "mismatch": "The trust policy of role {role} does not accept the pod's token: {problems}.",
    "denied-by-trust": "Statement {statement} in the trust policy of role {role} denies this token.",
    "no-reader": "Could not read the trust policy of role {role}: the web identity exchange failed and no other credentials are configured{tried}. Compare it with the token: sub {sub}, aud {aud}, issuer {iss}.",
    "get-role-denied": "Could not read the trust policy of role {role} as {reader}: {error}. Compare it with the token: sub {sub}, aud {aud}, issuer {iss}.",
    "get-role-failed": "iam:GetRole on {role} did not complete: {error}",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.fact("awskms.credentials");
    const irsa: IrsaSettings | undefined = creds?.irsaConfigured && creds.irsa ? { ...creds.irsa } : readIrsaSettings(ctx.seal!, ctx.env);
    if (!irsa) return { findings: [ctx.report("skip", "not-configured")] };
    const claims = irsa.claims;
    if (!claims) return { findings: [ctx.report("error", "token-unreadable", { file: irsa.tokenFile, problem: irsa.tokenProblem?.kind === "unreadable" ? irsa.tokenProblem.error : "not a JWT" }, { cause: "web_identity_failed" })] };
    const roleName = roleNameOf(irsa.roleArn);
    const role = roleName;
    const claimArgs = { role, sub: claims.sub ?? "-", aud: claims.aud.join(",") || "-", iss: claims.iss ?? "-" };
    const details = claimDetails(irsa, claims);
    const compareByHand = { summary: "Read the role's trust policy as an identity allowed iam:GetRole, and compare its Federated provider and :sub / :aud conditions with the token's claims (in the details).", commands: [readTrustCommand(roleName)], docs: DOCS };

    const reader = await readerCredentials(ctx, region, creds);
    if (!reader.credentials) {
      return { findings: [ctx.report("error", "no-reader", { ...claimArgs, tried: reader.tried.length ? ` (tried ${reader.tried.join("; ")})` : "" }, { cause: "web_identity_failed", details, fix: compareByHand })] };
    }
    const opts: AwsClientOptions = { region: region.region, credentials: reader.credentials, callTimeoutMs: ctx.options.callTimeoutMs, env: ctx.env, deadEndpoints: ctx.deadEndpoints, signal: ctx.signal };
    const iam = await createIamClient(opts);
    try {
      let trust;
      try {
        trust = (await getRole(iam, opts, roleName)).trustPolicy;
      } catch (err) {
        const view = viewAwsError(err);
        const error = `${view.name}: ${view.message}`;
        if (view.network) return { findings: [ctx.report("error", "get-role-failed", { role, error }, { cause: view.cause, details })] };
        return { findings: [ctx.report("error", "get-role-denied", { ...claimArgs, reader: reader.label, error }, {
          cause: "permission_denied", details,
          fix: { ...compareByHand, summary: `Allow iam:GetRole on ${irsa.roleArn} for ${reader.label} (read-only), or run the command as an identity that has it, and compare with the token's claims (in the details).` },
        })] };
      }
      if (!trust) return { findings: [ctx.report("error", "get-role-failed", { role, error: "GetRole returned no AssumeRolePolicyDocument" }, { details, fix: compareByHand })] };
      const comparison = compareTrustPolicy(trust, claims, irsa.roleArn);
      if (comparison.trusted) {
        return { findings: [ctx.report("pass", "trusted", { ...claimArgs, provider: comparison.providerArn, statement: comparison.statement ?? "-" }, { details })] };
      }
      const findings: Finding[] = [];
      const corrected = correctedTrustPolicy(trust, claims, irsa.roleArn);
      const expectedSub = comparison.mismatches.find((m) => m.field === "sub")?.expected.map(parseServiceAccountSubject).find((s) => s !== undefined);
      const fix = {
        summary: expectedSub
          ? `Let role ${roleName} trust the service account the pod runs as (corrected trust policy below), or run Vault as service account ${expectedSub.namespace}/${expectedSub.name}, which the role already trusts.`
          : `Let role ${roleName} trust the pod's token (corrected trust policy below).`,
        commands: [
          writeFileCommand(TRUST_FILE, corrected),
          `aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://${TRUST_FILE}`,
          ...(expectedSub ? [`# or run Vault as the trusted service account:\nkubectl -n ${expectedSub.namespace} get serviceaccount ${expectedSub.name} -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'`] : []),
        ],
        docs: DOCS,
      };
      const trustDetails = { ...details, statement: comparison.statement ?? null, provider_arn: comparison.providerArn, read_as: reader.label ?? null };
      if (comparison.deniedBy) {
        findings.push(ctx.report("fail", "denied-by-trust", { role, statement: comparison.deniedBy }, { cause: "web_identity_failed", details: trustDetails }));
      } else {
        const problems = comparison.mismatches.map((m) => mismatchText(m, comparison.statement)).join("; ");
        findings.push(ctx.report("fail", "mismatch", { role, problems }, {
          cause: "web_identity_failed",
          details: { ...trustDetails, mismatches: comparison.mismatches.map((m) => `${m.field}: expected ${m.expected.join(" | ")}, token ${m.actual}`) },
          fix,
        }));
      }
      return { findings };
    } finally {
      iam.destroy();
    }
  },
});
