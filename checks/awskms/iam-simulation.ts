// Which statement lets Vault in or keeps it out. iam:SimulatePrincipalPolicy for exactly kms:DescribeKey, kms:Encrypt
// and kms:Decrypt on the key ARN, with the key policy as ResourcePolicy and no context (what Vault sends), plus a
// second run with kms:EncryptionContext:<k> entries when a kms_context is given. The simulator answers for the
// role's identity side; KMS's key-policy rule is applied here (src/aws/simulation.ts). Corrected documents and fix
// commands come from the offline lint (src/policy), run on the same documents.
import { defineCheck, type CheckContext, type Finding, type Fix } from "../../src/check.js";
import { callAws, createIamClient, createKmsClient, type AwsClientOptions } from "../../src/clients/aws.js";
import { parseKeyValues } from "../../src/key-values.js";
import type { Decision, NamedPolicy } from "../../src/iam/types.js";
import { analyseKmsPolicies, VAULT_KMS_ACTIONS } from "../../src/policy/analyse.js";
import { identityPolicyCommands, putKeyPolicyCommand, roleNameOf } from "../../src/policy/fix-commands.js";
import { leastPrivilegeIdentityPolicy, roleKeyStatement } from "../../src/policy/policy-documents.js";
import { carriesEncryptionContext } from "../../src/policy/vault-requests.js";
import { policyMessages } from "../../src/policy/policy-messages.js";
import { accountRootArn } from "../../src/policy/policy-documents.js";
import type { PolicyAnalysis } from "../../src/policy/types.js";
import { lookUpKeyArn } from "../../src/aws/key-arn-lookup.js";
import { getRole, readRolePolicies } from "../../src/aws/role-documents.js";
import { kmsVerdict, simulateVaultActions, type KmsVerdict } from "../../src/aws/simulation.js";
import { DECISION_WORDS, denialCauses, refText, statementsBehind, type SimulationEvidence } from "../../src/aws/simulation-causes.js";
import { clientOptions, viewAwsError, type CredentialFacts, type IdentityFacts, type KeyFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export interface IamSimulationFacts {
  roleArn: string;
  keyArn: string;
  perAction: { action: string; decision: Decision; decisionWithContext?: Decision }[];
}

const SIMULATOR_DOCS = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html";
// KMS answers "... because no resource-based policy allows the <action> action" when the key policy neither names the
// caller nor enables IAM policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
const NO_RESOURCE_ALLOW = /no resource-based policy allows/;

function list(actions: string[]): string {
  return actions.length <= 1 ? actions.join("") : `${actions.slice(0, -1).join(", ")} and ${actions[actions.length - 1]}`;
}

function contextText(context: Record<string, string>): string {
  return Object.entries(context).map(([k, v]) => `${k}=${v}`).join(",");
}

function requestedContext(ctx: CheckContext): { context?: Record<string, string>; invalid?: string } {
  const stanza = ctx.seal?.values.kms_context?.value;
  try {
    return { context: ctx.options.kmsContext ?? (stanza ? parseKeyValues("kms_context", stanza) : undefined) };
  } catch {
    return { invalid: stanza };
  }
}

/** The simulated principal: a role's full ARN (GetRole recovers the path), or an IAM user's ARN. */
async function principalOf(ctx: CheckContext, iam: Awaited<ReturnType<typeof createIamClient>>, opts: AwsClientOptions, identity: IdentityFacts, findings: Finding[]): Promise<string | undefined> {
  if (identity.roleArn && identity.roleName) {
    try {
      const role = await getRole(iam, opts, identity.roleName);
      if (role.arn) return role.arn;
    } catch (err) {
      const view = viewAwsError(err);
      if (view.network) throw err;
      findings.push(ctx.report("warn", "role-path-unknown", { role: identity.roleName, roleArn: identity.roleArn, error: `${view.name}: ${view.message}` }, {
        fix: { summary: "Let the identity running this check read the role (read-only).", commands: [`# add to its IAM policy:\n${JSON.stringify({ Effect: "Allow", Action: "iam:GetRole", Resource: identity.roleArn })}`] },
      }));
    }
    return identity.roleArn;
  }
  if (identity.userName) return identity.arn;
  return undefined;
}

function verdictLine(v: KmsVerdict, e: SimulationEvidence, context?: Record<string, string>): string {
  const refs = statementsBehind(v, e, context);
  const by = refs.length > 0 ? ` by ${refText(refs)}` : "";
  const missing = v.simulator.missingContextValues.length > 0 ? `; missing context values: ${v.simulator.missingContextValues.join(", ")}` : "";
  const simulator = v.decision !== v.simulator.decision ? ` (simulator: ${DECISION_WORDS[v.simulator.decision]})` : "";
  return `${DECISION_WORDS[v.decision]}${by}${simulator}${missing}`;
}

/** The offline lint's fix for the same cause, built from the same documents; else the given fallback. */
function lintFix(analysis: PolicyAnalysis | undefined, code: string, fallback: Fix, match?: (f: Finding) => boolean): Fix {
  const hit = analysis?.findings.find((f) => f.code === code && f.status === "fail" && (!match || match(f)));
  return hit?.fix && hit.fix.commands.length > 0 ? hit.fix : fallback;
}

export default defineCheck({
  id: "awskms.iam-simulation",
  title: "IAM policy simulation",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials", "awskms.identity"],
  uses: ["awskms.key-state"],
  advisory: false,
  docs: SIMULATOR_DOCS,
  messages: {
    // The situations the offline `policy` command reports too: its codes and templates (src/policy/policy-messages.ts).
    ...policyMessages(["allowed", "denied", "explicit-deny", "context-required", "identity-policy-missing", "key-policy-excludes-role"]),
    "key-policy-excludes-role-inferred": "The IAM policies of {role} allow {actions}, but KMS refused GetKeyPolicy \"because no resource-based policy allows\" it (an IAM policy allowed the call, the key policy did not): the key policy does not enable IAM policies, so the IAM grant counts only if the key policy names the role.",
    "key-policy-unreadable": "Could not read the key policy ({error}): the simulation covers the IAM policies of {role} only; the key policy may still keep the role out.",
    "role-path-unknown": "iam:GetRole on {role} failed ({error}): simulating {roleArn}, which assumes the role has no path (an assumed-role ARN drops it).",
    "simulator-differs": "The simulator and this tool's own evaluation of the policies of {role} disagree on {actions} ({local}): a permissions boundary, a service control policy or a policy this check could not read is involved.",
    "policies-unreadable": "Could not read the IAM policies of {role} ({error}): the simulator names the deciding policies, not their statements.",
    "invalid-context": "kms_context \"{value}\" is not a list of key=value pairs: simulated without it.",
    "simulate-denied": "The identity running this check may not call iam:SimulatePrincipalPolicy ({error}): could not simulate the permissions of {role} on the key.",
    "simulate-failed": "SimulatePrincipalPolicy did not complete: {error}",
    "no-principal": "The caller {arn} is neither an IAM role session nor an IAM user: there is no principal to simulate.",
    "key-unknown": "Could not find the key ARN behind {key} ({error}): policies are evaluated against the key ARN.",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const identity = ctx.need("awskms.identity");
    const keyFacts = ctx.fact("awskms.key-state");
    const opts = clientOptions(ctx, region, creds);
    const findings: Finding[] = [];
    const { context, invalid } = requestedContext(ctx);
    if (invalid !== undefined) findings.push(ctx.report("warn", "invalid-context", { value: invalid }));

    const iam = await createIamClient(opts);
    const kms = await createKmsClient(opts);
    try {
      let principal: string | undefined;
      try {
        principal = await principalOf(ctx, iam, opts, identity, findings);
      } catch (err) {
        const view = viewAwsError(err);
        return { findings: [...findings, ctx.report("error", "simulate-failed", { error: `${view.name}: ${view.message}` }, { cause: view.cause, fix: view.fix })] };
      }
      if (!principal) return { findings: [...findings, ctx.report("error", "no-principal", { arn: identity.arn })] };
      const role = `role ${roleNameOf(principal)}`;

      const lookup = keyFacts?.keyArn ? { keyArn: keyFacts.keyArn } : await lookUpKeyArn(kms, opts, region.key, region.region, identity.account);
      if (!lookup.keyArn) {
        // The cause that hid the key (not found, throttled, 5xx) is the one Vault meets first at DescribeKey.
        return { findings: [...findings, ctx.report("error", "key-unknown", { key: region.key.raw, error: lookup.error ?? "not found" }, {
          ...("cause" in lookup && lookup.cause ? { cause: lookup.cause } : {}),
          fix: { summary: "Find the key ARN (as an identity that may describe the key).", commands: [`aws kms describe-key --key-id ${region.key.raw} --region ${region.region} --query KeyMetadata.Arn --output text`] },
        })] };
      }
      const keyArn = lookup.keyArn;
      const target = { roleArn: principal, keyArn };

      // The key policy, when readable: it goes to the simulator and is judged here under KMS's rule.
      let keyPolicyText: string | undefined;
      let keyPolicyDenial: string | undefined;
      try {
        const { GetKeyPolicyCommand } = await import("@aws-sdk/client-kms");
        const out = await callAws("kms", opts, (abortSignal) => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }), { abortSignal }));
        keyPolicyText = out.Policy;
      } catch (err) {
        const view = viewAwsError(err);
        if (view.network) return { findings: [...findings, ctx.report("error", "simulate-failed", { error: `${view.name}: ${view.message}` }, { cause: view.cause })] };
        keyPolicyDenial = `${view.name}: ${view.message}`;
      }
      let keyPolicy: NamedPolicy | undefined;
      if (keyPolicyText) {
        try {
          keyPolicy = { id: "key policy", document: JSON.parse(keyPolicyText) };
        } catch {
          keyPolicyDenial = "GetKeyPolicy returned text that is not JSON";
          keyPolicyText = undefined;
        }
      }

      let sims;
      let contextSims;
      try {
        sims = await simulateVaultActions(iam, opts, { policySourceArn: principal, keyArn, actions: VAULT_KMS_ACTIONS, keyPolicy: keyPolicyText });
        // DescribeKey never carries a context; only Encrypt and Decrypt are simulated with it.
        if (context) contextSims = await simulateVaultActions(iam, opts, { policySourceArn: principal, keyArn, actions: VAULT_KMS_ACTIONS.filter(carriesEncryptionContext), keyPolicy: keyPolicyText, encryptionContext: context });
      } catch (err) {
        const view = viewAwsError(err);
        const error = `${view.name}: ${view.message}`;
        if (view.name === "AccessDenied" || view.name === "AccessDeniedException") {
          return { findings: [...findings, ctx.report("error", "simulate-denied", { error, role }, {
            cause: "permission_denied",
            // Vault never simulates: the doctor's own missing permission does not decide the verdict.
            doctorPermission: "iam:SimulatePrincipalPolicy",
            fix: {
              summary: `Allow iam:SimulatePrincipalPolicy on ${principal} (and kms:GetKeyPolicy on the key) for the identity running this check; both are read-only.`,
              commands: [`# add to the IAM policy of the identity running vault-kms-doctor:\n${JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:SimulatePrincipalPolicy", Resource: principal }, { Effect: "Allow", Action: "kms:GetKeyPolicy", Resource: keyArn }] }, null, 2)}`],
              docs: SIMULATOR_DOCS,
            },
          })] };
        }
        return { findings: [...findings, ctx.report("error", "simulate-failed", { error }, { cause: view.cause, fix: view.fix })] };
      }

      if (!keyPolicy) findings.push(ctx.report("warn", "key-policy-unreadable", { error: keyPolicyDenial ?? "no policy", role }));

      // The role's own documents name the statements behind the simulator's policy names.
      let identityPolicies: NamedPolicy[] | undefined;
      if (identity.roleName) {
        try {
          identityPolicies = await readRolePolicies(iam, opts, roleNameOf(principal));
        } catch (err) {
          const view = viewAwsError(err);
          findings.push(ctx.report("warn", "policies-unreadable", { role, error: `${view.name}: ${view.message}` }));
        }
      }
      const evidence: SimulationEvidence = { target, identityPolicies, keyPolicy };

      const verdicts = sims.map((s) => kmsVerdict(s, keyPolicy, target));
      // Without the key policy, KMS's own denial of GetKeyPolicy still tells whether the key policy enables IAM policies.
      const inferredExclusion = !keyPolicy && keyPolicyDenial !== undefined && NO_RESOURCE_ALLOW.test(keyPolicyDenial);
      if (inferredExclusion) {
        for (const v of verdicts) if (v.decision === "allowed") Object.assign(v, { decision: "implicitDeny", keyPolicyExcludes: true });
      }
      const contextVerdicts = (contextSims ?? []).map((s) => kmsVerdict(s, keyPolicy, target, context));
      const withContext = (action: string) => contextVerdicts.find((v) => v.action === action)?.decision;

      const analysis = identityPolicies || keyPolicy
        ? analyseKmsPolicies({ identityPolicies: identityPolicies ?? [], keyPolicy, roleArn: principal, keyArn, kmsContext: context })
        : undefined;

      const details: Finding["details"] = {
        principal,
        key_arn: keyArn,
        key_policy: keyPolicy ? "passed as ResourcePolicy" : `not readable (${keyPolicyDenial ?? "?"})`,
        decisions: verdicts.map((v) => `${v.action}=${v.decision}`),
      };
      for (const v of verdicts) details[v.action] = verdictLine(v, evidence);
      if (context) {
        details.context = contextText(context);
        details.decisions_with_context = verdicts.map((v) => `${v.action}=${withContext(v.action) ?? v.decision}`);
        for (const v of contextVerdicts) details[`${v.action} with ${contextText(context)}`] = verdictLine(v, evidence, context);
      }

      const denied = verdicts.filter((v) => v.decision !== "allowed");
      if (denied.length === 0) {
        const how = refText(verdicts.flatMap((v) => statementsBehind(v, evidence)).filter((r, i, all) => all.findIndex((o) => o.statement === r.statement && o.where === r.where) === i));
        findings.unshift(ctx.report("pass", "allowed", { role, actions: list([...VAULT_KMS_ACTIONS]), how: how || "simulator" }, { details }));
      } else {
        const summary = verdicts.map((v) => `${v.action} ${DECISION_WORDS[v.decision]}`).join(", ");
        findings.unshift(ctx.report("fail", "denied", { role, summary }, { details, cause: "permission_denied" }));
        findings.push(...causeFindings(ctx, denied, evidence, analysis, { role, context, withContext, inferredExclusion }));
      }

      // The online verdict and the offline lint on the same documents should agree; when they do not, something
      // outside the role's policies (boundary, SCP) or a policy not read decides.
      if (analysis && identityPolicies && keyPolicy) {
        const differing = verdicts.filter((v) => analysis.perAction.find((p) => p.action === v.action)?.decision !== v.decision);
        if (differing.length > 0) {
          const local = differing.map((v) => `${v.action}: ${DECISION_WORDS[analysis.perAction.find((p) => p.action === v.action)!.decision]} here, ${DECISION_WORDS[v.decision]} simulated`).join("; ");
          findings.push(ctx.report("warn", "simulator-differs", { role, actions: list(differing.map((v) => v.action)), local }));
        }
      }

      return {
        findings,
        facts: { roleArn: principal, keyArn, perAction: verdicts.map((v) => ({ action: v.action, decision: v.decision, ...(context ? { decisionWithContext: withContext(v.action) ?? v.decision } : {}) })) },
      };
    } finally {
      iam.destroy();
      kms.destroy();
    }
  },
});

interface CauseFacts {
  role: string;
  context?: Record<string, string>;
  withContext: (action: string) => Decision | undefined;
  inferredExclusion: boolean;
}

function causeFindings(ctx: CheckContext, denied: KmsVerdict[], e: SimulationEvidence, analysis: PolicyAnalysis | undefined, f: CauseFacts): Finding[] {
  const findings: Finding[] = [];
  const causes = denialCauses(denied, e);
  const target = e.target;
  const identityFallback: Fix = { summary: `Attach the least-privilege policy to ${f.role}.`, commands: identityPolicyCommands(target, leastPrivilegeIdentityPolicy(target.keyArn)) };

  for (const deny of causes.denies) {
    findings.push(ctx.report("fail", "explicit-deny", { statement: deny.statement, where: deny.where, actions: list(deny.actions), role: f.role, contextNote: "" }, {
      cause: "permission_denied",
      details: { policy: deny.policyId, statement: deny.statement, actions: deny.actions },
      fix: lintFix(analysis, "explicit-deny", { summary: `Remove or narrow statement ${deny.statement} in ${deny.where}.`, commands: [] }, (lf) => lf.details?.statement === deny.statement),
    }));
  }
  if (causes.contextActions.length > 0) {
    const passing = causes.contextActions.filter((a) => f.withContext(a) === "allowed");
    const withContext = f.context
      ? passing.length > 0 ? `; with ${contextText(f.context)} the simulation allows ${list(passing)}` : `; with ${contextText(f.context)} they stay denied`
      : "";
    findings.push(ctx.report("fail", "context-required", { actions: list(causes.contextActions), verb: causes.contextActions.length === 1 ? "is" : "are", keys: causes.contextKeys.join(", "), by: "", verdict: withContext, describeKey: causes.contextActions.includes("kms:DescribeKey") ? " and DescribeKey never carries one" : "" }, {
      cause: "encryption_context_mismatch",
      details: { actions: causes.contextActions, missing_context_values: causes.contextKeys },
      fix: lintFix(analysis, "context-required", { ...identityFallback, summary: "Grant Vault's actions without an encryption-context condition; remove kms_context from the seal stanza (the awskms seal has no such setting)." }),
    }));
  }
  if (causes.identityMissing.length > 0) {
    const keyPolicy = !e.keyPolicy
      ? "the key policy could not be read"
      : causes.keyExcludes.length > 0 ? "the key policy does not let IAM policies decide either" : "the key policy lets IAM policies decide, so the grant belongs in an identity policy";
    findings.push(ctx.report("fail", "identity-policy-missing", { role: f.role, actions: list(causes.identityMissing), key: target.keyArn, keyPolicy }, {
      cause: "permission_denied",
      details: { actions: causes.identityMissing },
      fix: lintFix(analysis, "identity-policy-missing", identityFallback),
    }));
  }
  if (causes.keyExcludes.length > 0) {
    if (f.inferredExclusion) {
      findings.push(ctx.report("fail", "key-policy-excludes-role-inferred", { role: f.role, actions: list(causes.keyExcludes) }, {
        cause: "permission_denied",
        details: { actions: causes.keyExcludes },
        fix: {
          summary: `As a key administrator, add a statement naming ${f.role} to the key policy (or the account-root statement that lets IAM policies decide).`,
          commands: [
            `aws kms get-key-policy --key-id ${target.keyArn} --policy-name default --query Policy --output text > key-policy.json`,
            `# add to key-policy.json's Statement list:\n${JSON.stringify(roleKeyStatement(target.roleArn, "AllowVaultUnseal"), null, 2)}`,
            putKeyPolicyCommand(target),
          ],
          docs: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
        },
      }));
    } else {
      const allowedBy = denied.filter((v) => causes.keyExcludes.includes(v.action) && v.simulator.decision === "allowed");
      const refs = refText(allowedBy.flatMap((v) => statementsBehind({ ...v, decision: "allowed" }, e)).filter((r, i, all) => all.findIndex((o) => o.statement === r.statement && o.where === r.where) === i));
      findings.push(ctx.report("fail", "key-policy-excludes-role", { role: f.role, actions: list(causes.keyExcludes), root: accountRootArn(target.roleArn) ?? "-", assumed: "", statements: refs ? ` (the IAM grant: ${refs})` : "" }, {
        cause: "permission_denied",
        details: { actions: causes.keyExcludes },
        fix: lintFix(analysis, "key-policy-excludes-role", lintFix(analysis, "no-root-statement", { summary: "Add a statement naming the role to the key policy.", commands: [] })),
      }));
    }
  }
  return findings;
}
