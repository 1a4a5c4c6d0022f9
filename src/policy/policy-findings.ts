// The fixes of the policy lint, and the arguments of its findings: each function turns one detected fact into a
// Finding built from the message table it shares with awskms.iam-simulation (src/policy/policy-messages.ts).
// Codes are a public contract (kebab-case, stable); the prose may change.
import type { NamedPolicy, PolicyDocument } from "../iam/types.js";
import { parseArn } from "../iam/arn.js";
import type { Finding, Fix } from "../model.js";
import type { BroadGrant, BroadGrantKind } from "./broad-grants.js";
import type { ContextTrap } from "./context-traps.js";
import {
  identityPolicyCommands,
  keyPolicyCommands,
  putRolePolicyCommand,
  roleNameOf,
  writeFileCommand,
} from "./fix-commands.js";
import { accountRootArn, contextConditionKeys, statementList, stringList } from "./policy-documents.js";
import type { ActionVerdict, PolicyAnalysisInput, StatementRef } from "./types.js";
import { VAULT_KMS_ACTIONS, type VaultTarget } from "./vault-requests.js";
import { POLICY_MESSAGES, policyFinding, type PolicyCode } from "./policy-messages.js";

export const POLICY_FINDING_CODES = Object.keys(POLICY_MESSAGES) as PolicyCode[];

const DOCS = {
  vaultSeal: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
  evaluation: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
  context: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context",
  keyInIamPolicy: "https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html",
  rootStatement: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
  leastPrivilege: "https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html",
  getKeyPolicy: "https://docs.aws.amazon.com/cli/latest/reference/kms/get-key-policy.html",
} as const;

export interface Facts {
  input: PolicyAnalysisInput;
  target: VaultTarget;
  perAction: ActionVerdict[];
  correctedIdentityPolicy: PolicyDocument;
  correctedKeyPolicy?: PolicyDocument;
  keyPolicyChanged: boolean;
}

const DECISION_WORDS = { allowed: "allowed", implicitDeny: "implicit deny", explicitDeny: "explicit deny" } as const;

function actionList(actions: readonly string[]): string {
  if (actions.length <= 1) return actions.join("");
  return `${actions.slice(0, -1).join(", ")} and ${actions[actions.length - 1]}`;
}

function role(facts: Facts): string {
  return `role ${roleNameOf(facts.target.roleArn)}`;
}

function where(ref: StatementRef): string {
  return ref.source === "resource" ? `the key policy` : `identity policy ${ref.policyId}`;
}

function contextText(context: Record<string, string>): string {
  return Object.entries(context).map(([k, v]) => `${k}=${v}`).join(",");
}

function keyPolicyFix(facts: Facts, summary: string, docs: string): Fix {
  return { summary, commands: facts.correctedKeyPolicy ? keyPolicyCommands(facts.target, facts.correctedKeyPolicy) : [], docs };
}

function identityFix(facts: Facts, summary: string, docs: string): Fix {
  return { summary, commands: identityPolicyCommands(facts.target, facts.correctedIdentityPolicy), docs };
}

function readKeyPolicyCommand(target: VaultTarget): string {
  const region = parseArn(target.keyArn)?.region;
  return `aws kms get-key-policy --key-id ${target.keyArn} --policy-name default --query Policy --output text${region ? ` --region ${region}` : ""} > key-policy.json`;
}

/** An identity policy without the given statement, and how to put it back (inline policies; managed ones need a new version). */
function identityWithoutStatementCommands(target: VaultTarget, policy: NamedPolicy, index: number): string[] {
  const statements = statementList(policy.document).filter((_, i) => i !== index);
  const document: PolicyDocument = { ...policy.document, Version: policy.document.Version ?? "2012-10-17", Statement: statements };
  const file = `${policy.id}.json`;
  return [
    `# ${policy.id} without the deny; if it is a managed policy, publish it with: aws iam create-policy-version --policy-arn <arn> --policy-document file://${file} --set-as-default`,
    writeFileCommand(file, document),
    putRolePolicyCommand(target, policy.id, file),
  ];
}

export function allAllowed(facts: Facts): Finding {
  const details: Finding["details"] = {};
  const by = (m: ActionVerdict["matchedStatements"][number]) => `${m.sid ? `"${m.sid}"` : `#${m.index + 1}`} (${m.policyId})`;
  for (const v of facts.perAction) details[v.action] = `allowed by ${v.matchedStatements.map(by).join(", ")}`;
  const how = [...new Set(facts.perAction.flatMap((v) => v.matchedStatements.map(by)))].join(", ");
  return policyFinding("pass", "allowed", { role: role(facts), actions: actionList(VAULT_KMS_ACTIONS), how: how || "-" }, { details });
}

export interface DenialSummary {
  denied: ActionVerdict[];
  causes: { identityMissing: string[]; keyExcludes: string[] };
  traps: ContextTrap[];
  denies: (StatementRef & { actions: string[] })[];
}

export function actionDenied(facts: Facts, summary: DenialSummary): Finding {
  const { denied, causes, traps, denies } = summary;
  const details: Finding["details"] = {};
  for (const v of denied) details[v.action] = `${DECISION_WORDS[v.decision]}${v.denialReason ? ` ${v.denialReason}` : ""}`;
  const causeCodes = [
    denies.length > 0 ? "explicit-deny" : undefined,
    traps.length > 0 ? "context-required" : undefined,
    causes.identityMissing.length > 0 ? "identity-policy-missing" : undefined,
    causes.keyExcludes.length > 0 ? "key-policy-excludes-role" : undefined,
  ].filter((c): c is string => c !== undefined);
  details.causes = causeCodes;

  const commands: string[] = [];
  const identitySide = causes.identityMissing.length > 0 || traps.some((t) => t.source === "identity");
  if (identitySide) commands.push(...identityPolicyCommands(facts.target, facts.correctedIdentityPolicy));
  for (const deny of denies.filter((d) => d.source === "identity")) {
    const policy = facts.input.identityPolicies.find((p) => p.id === deny.policyId);
    if (policy) commands.push(...identityWithoutStatementCommands(facts.target, policy, deny.index));
  }
  if (facts.keyPolicyChanged && facts.correctedKeyPolicy) commands.push(...keyPolicyCommands(facts.target, facts.correctedKeyPolicy));
  if (!facts.input.keyPolicy && causes.keyExcludes.length > 0) commands.push(`# read the key policy and run this lint on it: ${readKeyPolicyCommand(facts.target)}`);

  // The same summary as awskms.iam-simulation's: each of Vault's actions with its decision.
  const verdicts = facts.perAction.map((v) => `${v.action} ${DECISION_WORDS[v.decision]}`).join(", ");
  return policyFinding("fail", "denied", { role: role(facts), summary: verdicts }, {
    details,
    fix: { summary: "Apply the corrected policies (least privilege: Vault's three actions on this key only)", commands, docs: DOCS.vaultSeal },
  });
}

export function explicitDeny(facts: Facts, deny: StatementRef & { actions: string[] }, policies: NamedPolicy[]): Finding {
  const policy = policies.find((p) => p.id === deny.policyId);
  const statement = policy ? statementList(policy.document)[deny.index] : undefined;
  const onContext = statement ? contextConditionKeys(statement).length > 0 : false;
  const args = {
    statement: deny.label, where: where(deny), actions: actionList(deny.actions), role: role(facts),
    contextNote: onContext ? ". Its condition on the encryption context holds because Vault sends none" : "",
  };
  const details: Finding["details"] = { policy: deny.policyId, statement: deny.label, actions: deny.actions };
  if (deny.source === "resource") {
    return policyFinding("fail", "explicit-deny", args, {
      details,
      fix: keyPolicyFix(facts, `Exempt the role from statement ${deny.label} (ArnNotEquals aws:PrincipalArn): the deny stays in force for everyone else`, DOCS.evaluation),
    });
  }
  return policyFinding("fail", "explicit-deny", args, {
    details,
    fix: {
      summary: `Remove statement ${deny.label} from identity policy ${deny.policyId}: a deny in a policy of the role always wins`,
      commands: policy ? identityWithoutStatementCommands(facts.target, policy, deny.index) : [],
      docs: DOCS.evaluation,
    },
  });
}

export function contextTrap(facts: Facts, trap: ContextTrap, failing: boolean): Finding {
  const details: Finding["details"] = { policy: trap.policyId, statement: trap.label, requires: trap.contextKeys, actions: trap.actions };
  const context = facts.input.kmsContext;
  let verdict = failing ? ": your policy requires an encryption context Vault will never send" : ": other statements let Vault in, so for Vault this one is dead weight";
  if (context) {
    const passing = facts.perAction.filter((v) => trap.actions.includes(v.action) && v.decisionWithContext === "allowed" && v.decision !== "allowed").map((v) => v.action);
    for (const v of facts.perAction.filter((p) => trap.actions.includes(p.action))) {
      details[`${v.action} with ${contextText(context)}`] = `${DECISION_WORDS[v.decisionWithContext ?? v.decision]}; as Vault sends it: ${DECISION_WORDS[v.decision]}`;
    }
    if (failing && passing.length > 0) {
      verdict = `; with ${contextText(context)} ${actionList(passing)} would pass, but Vault's requests carry no context and are denied: your policy requires an encryption context Vault will never send`;
    }
  }
  const args = {
    actions: actionList(trap.actions), verb: trap.actions.length === 1 ? "is" : "are", keys: trap.contextKeys.join(", "),
    by: ` by statement ${trap.label} in ${where(trap)}`, describeKey: trap.actions.includes("kms:DescribeKey") ? " and DescribeKey never carries one" : "", verdict,
  };
  const kmsContextNote = "remove kms_context from the seal stanza too: the awskms seal has no such setting and ignores it";
  if (!failing) {
    return policyFinding("warn", "context-required", args, { details, fix: { summary: `Keep the condition only if other clients rely on it; ${kmsContextNote}`, commands: [], docs: DOCS.context } });
  }
  const fix = trap.source === "resource"
    ? keyPolicyFix(facts, `Drop the encryption-context condition from statement ${trap.label} of the key policy; ${kmsContextNote}`, DOCS.context)
    : identityFix(facts, `Grant Vault's actions without an encryption-context condition; ${kmsContextNote}`, DOCS.context);
  return policyFinding("fail", "context-required", args, { details, fix });
}

export function identityPolicyMissing(facts: Facts, actions: string[]): Finding {
  const aliasResource = facts.input.identityPolicies.some((p) =>
    statementList(p.document).some((s) => stringList(s.Resource).some((r) => r.includes(":alias/"))),
  );
  const given = facts.input.identityPolicies.length > 0;
  const details: Finding["details"] = { actions, "identity policies": given ? facts.input.identityPolicies.map((p) => p.id) : "none given" };
  // "You cannot use a key id, alias name, or alias ARN to identify a KMS key in an IAM policy statement" (cmks-in-iam-policies.html).
  if (aliasResource) details.hint = "a Resource names an alias ARN; IAM policies must name the key ARN";
  return policyFinding("fail", "identity-policy-missing", { role: role(facts), actions: actionList(actions), key: facts.target.keyArn, keyPolicy: "the key policy does not name the role" }, {
    details,
    fix: identityFix(facts, `Attach the least-privilege policy to ${role(facts)}`, DOCS.keyInIamPolicy),
  });
}

export function keyPolicyExcludesRole(facts: Facts, actions: string[]): Finding {
  const root = accountRootArn(facts.target.roleArn);
  const details: Finding["details"] = { actions, "account root": root ?? null };
  const args = { role: role(facts), actions: actionList(actions), root: root ?? "-", statements: "" };
  if (!facts.input.keyPolicy) {
    return policyFinding("fail", "key-policy-excludes-role", { ...args, assumed: " (not given: the default policy of the key's own account, another account than the role's, is assumed)" }, {
      details,
      fix: { summary: "Read the key policy and run this lint on it with --key-policy", commands: [readKeyPolicyCommand(facts.target)], docs: DOCS.rootStatement },
    });
  }
  return policyFinding("fail", "key-policy-excludes-role", { ...args, assumed: "" }, {
    details,
    fix: keyPolicyFix(facts, `Add a statement naming ${role(facts)} for Vault's three actions to the key policy`, DOCS.rootStatement),
  });
}

export function noRootStatement(facts: Facts, failing: boolean): Finding {
  const root = accountRootArn(facts.target.roleArn);
  const summary = `Name the role in the key policy (done below), or add the account-root statement so that IAM policies count`;
  return policyFinding(failing ? "fail" : "warn", "no-root-statement", {
    root: root ?? "-", roleArn: facts.target.roleArn,
    consequence: failing ? "IAM policies cannot grant access to this key" : "Vault gets in only through a wildcard principal",
  }, {
    details: { "account root": root ?? null },
    fix: failing ? keyPolicyFix(facts, summary, DOCS.rootStatement) : { summary, commands: [], docs: DOCS.rootStatement },
  });
}

export function keyPolicyNotGiven(facts: Facts): Finding {
  return policyFinding("skip", "key-policy-not-given", {}, {
    fix: { summary: "Read the key policy and pass it with --key-policy", commands: [readKeyPolicyCommand(facts.target)], docs: DOCS.getKeyPolicy },
  });
}

const BROAD_WORDS: Record<BroadGrantKind, string> = {
  "every-principal": 'grants to every AWS principal (Principal "*" without a condition)',
  "every-action": "grants every KMS action (kms:*)",
  "every-key": "applies to every key (a wildcard Resource)",
};

export function broadGrant(facts: Facts, grant: BroadGrant): Finding {
  const details: Finding["details"] = { policy: grant.policyId, statement: grant.label, kinds: grant.kinds };
  const fix = grant.source === "identity"
    ? identityFix(facts, `Give ${role(facts)} the least-privilege policy instead and drop statement ${grant.label}`, DOCS.leastPrivilege)
    : { summary: `Narrow statement ${grant.label} to Principal ${facts.target.roleArn} and Vault's three actions`, commands: [], docs: DOCS.leastPrivilege };
  return policyFinding("warn", "broad-grant", {
    statement: grant.label, where: where(grant), grants: grant.kinds.map((k) => BROAD_WORDS[k]).join(" and "), needed: actionList(VAULT_KMS_ACTIONS),
  }, { details, fix });
}
