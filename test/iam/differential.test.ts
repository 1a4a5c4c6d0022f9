// Differential test: the doctor's IAM evaluator (src/iam) against an independent one from npm,
// @cloud-copilot/iam-simulate (https://github.com/cloud-copilot/iam-simulate), over every policy fixture
// (fixtures/policies) and every AWS scenario (fixtures/scenarios). The AWS emulator authorises with src/iam, so
// "the doctor agrees with the emulator" only means something because this test holds src/iam to a second opinion.
//
// Choice (issue 13, item 7): the emulator keeps src/iam; this test is the independent check. Outcome with 0.1.173:
// about 5,600 cases (10,000 comparisons counting both request shapes), no unexplained disagreement; the two
// recorded differences (KNOWN_DIFFERENCES below) are a NotPrincipal bug in iam-simulate and a request the role-only
// shape cannot express.
//
// Expected decisions follow AWS's documented evaluation logic:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html (key policy first, then IAM)
//
// Known limitation of the independent side (recorded, not hidden): iam-simulate's validated entry point,
// runSimulation, keeps a context key only if it is in its service data or, for keys with a variable part, if the
// variable follows a "/" (aws:PrincipalTag/<k>). KMS spells its encryption-context keys with a ":"
// (kms:EncryptionContext:<k>, https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context),
// so runSimulation drops them (listHasVariableKeyMatch in dist/esm/simulation_engine/simulationEngine.js, 0.1.173)
// and a condition on them reads as "key missing". For requests that carry an encryption context the decision is
// therefore taken from runUnsafeSimulation (same engine, the context passed through unvalidated); runSimulation
// still runs on every case, to validate action, resource and policies. The test pins that limitation, so an
// upgrade that fixes it shows up here.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createValidatedPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { evaluateGeneric, evaluateKmsRequest, type Decision, type NamedPolicy, type PolicyDocument, type RequestContext } from "../../src/iam/index.js";
import { defaultKeyPolicy, identityPoliciesOf, roleArn as roleArnOf, userArn } from "../emulator/aws/iam-directory.js";
import type { AwsScenario } from "../emulator/aws/scenario.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const POLICIES = join(ROOT, "fixtures", "policies");
const SCENARIOS = join(ROOT, "fixtures", "scenarios");

type Independent = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
const AS_INDEPENDENT: Record<Decision, Independent> = {
  allowed: "Allowed",
  explicitDeny: "ExplicitlyDenied",
  implicitDeny: "ImplicitlyDenied",
};

/** Who calls: the ARN AWS authenticates (a session for a role) and the IAM identity behind it. */
interface Principal {
  label: string;
  /** arn:aws:sts::<acct>:assumed-role/<role>/<session>, or an IAM user ARN. */
  callerArn: string;
  /** The role or user ARN: aws:PrincipalArn. */
  principalArn: string;
  accountId: string;
  isSession: boolean;
}

interface Case {
  label: string;
  kind: "kms" | "generic";
  principal: Principal;
  identityPolicies: NamedPolicy[];
  resourcePolicy?: PolicyDocument;
  action: string;
  resource: string;
  resourceAccountId: string;
  encryptionContext?: Record<string, string>;
}

function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function roleSession(roleArn: string, session: string): Principal {
  const account = accountOf(roleArn);
  const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  return {
    label: `${roleArn} (session ${session})`,
    callerArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
    principalArn: roleArn,
    accountId: account,
    isSession: true,
  };
}

function user(arn: string): Principal {
  return { label: arn, callerArn: arn, principalArn: arn, accountId: accountOf(arn), isSession: false };
}

/** The context both evaluators get: what KMS/IAM put in every request, plus the encryption context if any. */
function contextOf(c: Case): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    "aws:PrincipalArn": c.principal.principalArn,
    "aws:PrincipalAccount": c.principal.accountId,
  };
  // KMS adds kms:CallerAccount to operations on a key, not to ListAliases
  // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account).
  if (c.kind === "kms") context["kms:CallerAccount"] = c.principal.accountId;
  const entries = Object.entries(c.encryptionContext ?? {});
  for (const [k, v] of entries) context[`kms:EncryptionContext:${k}`] = v;
  if (entries.length > 0) context["kms:EncryptionContextKeys"] = entries.map(([k]) => k);
  return context;
}

/** How the doctor's evaluator is asked: "session" as the emulator asks (the session ARN is known), "role" as the
 * offline lint asks (only the role ARN; the session name is not known before Vault runs). Users have one shape. */
type Shape = "session" | "role";

function doctor(c: Case): { shape: Shape; decision: Decision }[] {
  const role: RequestContext = { principalArn: c.principal.principalArn, action: c.action, resource: c.resource, context: contextOf(c) };
  const shapes: { shape: Shape; request: RequestContext }[] = c.principal.isSession
    ? [
        { shape: "session", request: { ...role, sessionArn: c.principal.callerArn } },
        { shape: "role", request: role },
      ]
    : [{ shape: "session", request: role }];
  return shapes.map(({ shape, request }) => ({
    shape,
    decision:
      c.kind === "kms"
        ? evaluateKmsRequest({
            identityPolicies: c.identityPolicies,
            keyPolicy: c.resourcePolicy ? { id: "key-policy", document: c.resourcePolicy } : undefined,
            request,
          }).decision
        : evaluateGeneric({
            identityPolicies: c.identityPolicies,
            resourcePolicy: c.resourcePolicy ? { id: "resource-policy", document: c.resourcePolicy } : undefined,
            request,
            resourceAccountId: c.resourceAccountId,
          }).decision,
  }));
}

function simulationOf(c: Case): Simulation {
  return {
    request: {
      principal: c.principal.callerArn,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccountId },
      contextVariables: contextOf(c),
    },
    identityPolicies: c.identityPolicies.map((p) => ({ name: p.id, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy,
  };
}

interface IndependentAnswer {
  decision: Independent;
  /** Context keys runSimulation dropped as unknown. */
  ignored: string[];
}

async function independent(c: Case): Promise<IndependentAnswer> {
  const simulation = simulationOf(c);
  const validated = await runSimulation(simulation, {});
  if (validated.resultType === "error") throw new Error(`${c.label}: iam-simulate rejected the input: ${JSON.stringify(validated.errors)}`);
  if (validated.resultType !== "single") throw new Error(`${c.label}: expected a single-resource result, got ${validated.resultType}`);
  const ignored = validated.result.ignoredContextKeys ?? [];
  if (ignored.length === 0) return { decision: validated.overallResult, ignored };
  // runUnsafeSimulation loads the resource policy without a name and then reads it (metadata().name) once a
  // statement matches; a pre-loaded policy carries one (loadPolicy in @cloud-copilot/iam-policy 0.1.109, parser.js).
  const resourcePolicy = c.resourcePolicy ? createValidatedPolicy(c.resourcePolicy, validateResourcePolicy, { name: "resource-policy" }) : undefined;
  return { decision: runUnsafeSimulation({ ...simulation, resourcePolicy }, {}), ignored };
}

// ---------------------------------------------------------------------------------------------------------------
// Cases from fixtures/policies: every identity policy (or none) x every key policy x principals x actions x context.

const ACCOUNT = "111122223333";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const VAULT_ACTIONS = ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"];
/** Read calls the doctor itself makes on the key, and one an administrator makes. */
const OTHER_KEY_ACTIONS = ["kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ScheduleKeyDeletion"];
/** Vault's awskms seal sends none (go-kms-wrapping wrappers/awskms); guides' policies require App=vault-prod. */
const CONTEXTS: (Record<string, string> | undefined)[] = [undefined, { App: "vault-prod" }, { App: "vault-dev" }, { Other: "vault-prod" }];

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(join(POLICIES, file), "utf8"));
}

function fixtureIdentityPolicies(): NamedPolicy[] {
  const files = readdirSync(POLICIES).filter((f) => f.startsWith("identity-") && f.endsWith(".json")).sort();
  const policies: NamedPolicy[] = files.map((f) => ({ id: f, document: readJson(f) as PolicyDocument }));
  const role = readJson("get-role-policy-output.json") as { PolicyName: string; PolicyDocument: PolicyDocument };
  policies.push({ id: `get-role-policy-output.json:${role.PolicyName}`, document: role.PolicyDocument });
  const encoded = readFileSync(join(POLICIES, "identity-url-encoded.txt"), "utf8").trim();
  policies.push({ id: "identity-url-encoded.txt", document: JSON.parse(decodeURIComponent(encoded)) as PolicyDocument });
  return policies;
}

function fixtureKeyPolicies(): { id: string; document: PolicyDocument }[] {
  const files = readdirSync(POLICIES).filter((f) => f.startsWith("key-policy-") && f.endsWith(".json")).sort();
  const policies = files.map((f) => ({ id: f, document: readJson(f) as PolicyDocument }));
  const output = readJson("get-key-policy-output.json") as { Policy: string };
  policies.push({ id: "get-key-policy-output.json", document: JSON.parse(output.Policy) as PolicyDocument });
  return policies;
}

function kmsCases(
  label: string,
  principal: Principal,
  identityPolicies: NamedPolicy[],
  keyPolicy: PolicyDocument,
  keyArn: string,
  actions: string[],
): Case[] {
  return actions.flatMap((action) =>
    (VAULT_ACTIONS.includes(action) && action !== "kms:DescribeKey" ? CONTEXTS : [undefined]).map((encryptionContext) => ({
      label: `${label} | ${principal.label} | ${action}${encryptionContext ? ` ${JSON.stringify(encryptionContext)}` : ""}`,
      kind: "kms" as const,
      principal,
      identityPolicies,
      resourcePolicy: keyPolicy,
      action,
      resource: keyArn,
      resourceAccountId: accountOf(keyArn),
      ...(encryptionContext ? { encryptionContext } : {}),
    })),
  );
}

function fixtureCases(): Case[] {
  const principals = [
    roleSession(`arn:aws:iam::${ACCOUNT}:role/vault-unseal`, "vault-0"),
    roleSession(`arn:aws:iam::${ACCOUNT}:role/key-admin`, "admin"),
    user(`arn:aws:iam::${ACCOUNT}:user/ops`),
    roleSession("arn:aws:iam::444455556666:role/vault-unseal", "vault-0"),
  ];
  const identitySets: { id: string; policies: NamedPolicy[] }[] = [
    { id: "no identity policy", policies: [] },
    ...fixtureIdentityPolicies().map((p) => ({ id: p.id, policies: [p] })),
  ];
  return fixtureKeyPolicies().flatMap((key) =>
    identitySets.flatMap((identity) =>
      principals.flatMap((principal) =>
        kmsCases(`${identity.id} + ${key.id}`, principal, identity.policies, key.document, KEY_ARN, [...VAULT_ACTIONS, ...OTHER_KEY_ACTIONS]),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Condition keys and principal forms the fixtures use little: each policy below is paired with the least-privilege
// identity policy and with none, under the same principals, actions and encryption contexts.

const ENABLE_IAM = { Sid: "EnableIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
const VAULT_ROLE = `arn:aws:iam::${ACCOUNT}:role/vault-unseal`;

function keyPolicyOf(...statements: object[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements as PolicyDocument["Statement"] };
}

const EDGE_KEY_POLICIES: { id: string; document: PolicyDocument }[] = [
  { id: "context keys ForAllValues", document: keyPolicyOf({ Sid: "Ctx", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App"] } } }) },
  { id: "context keys ForAnyValue", document: keyPolicyOf({ Sid: "Ctx", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": ["App"] } } }) },
  { id: "context StringEqualsIfExists", document: keyPolicyOf({ Sid: "Ctx", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: "*", Condition: { StringEqualsIfExists: { "kms:EncryptionContext:App": "vault-prod" } } }) },
  { id: "context Null false", document: keyPolicyOf({ Sid: "Ctx", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { Null: { "kms:EncryptionContextKeys": "false" } } }) },
  { id: "deny without context (Null true)", document: keyPolicyOf(ENABLE_IAM, { Sid: "DenyNoCtx", Effect: "Deny", Principal: "*", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { Null: { "kms:EncryptionContextKeys": "true" } } }) },
  { id: "caller account + principal wildcard", document: keyPolicyOf({ Sid: "Acct", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT } } }) },
  { id: "principal arn StringLike", document: keyPolicyOf({ Sid: "Like", Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", Condition: { StringLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/vault-*` } } }) },
  { id: "ArnEquals principal arn", document: keyPolicyOf(ENABLE_IAM, { Sid: "Arn", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": VAULT_ROLE } } }) },
  { id: "NotAction deny", document: keyPolicyOf(ENABLE_IAM, { Sid: "OnlyCrypto", Effect: "Deny", Principal: { AWS: VAULT_ROLE }, NotAction: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: "*" }) },
  { id: "NotPrincipal deny", document: keyPolicyOf(ENABLE_IAM, { Sid: "OnlyVault", Effect: "Deny", NotPrincipal: { AWS: [VAULT_ROLE, `arn:aws:iam::${ACCOUNT}:root`] }, Action: "kms:Decrypt", Resource: "*" }) },
  { id: "session principal", document: keyPolicyOf({ Sid: "Session", Effect: "Allow", Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/vault-unseal/vault-0` }, Action: "kms:*", Resource: "*" }) },
  { id: "bare account id principal", document: keyPolicyOf({ Sid: "Acct", Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "kms:*", Resource: "*" }) },
  { id: "other account enabled", document: keyPolicyOf(ENABLE_IAM, { Sid: "Other", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: "*" }) },
  { id: "other account role", document: keyPolicyOf(ENABLE_IAM, { Sid: "Other", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:role/vault-unseal" }, Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: "*" }) },
  { id: "resource names the key", document: keyPolicyOf({ Sid: "Key", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: "kms:*", Resource: KEY_ARN }) },
  { id: "resource names another key", document: keyPolicyOf({ Sid: "Key", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: "kms:*", Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321` }) },
  { id: "case of action and wildcard", document: keyPolicyOf({ Sid: "Case", Effect: "Allow", Principal: { AWS: VAULT_ROLE }, Action: ["KMS:encrypt", "kms:De?rypt", "kms:describe*"], Resource: "*" }) },
];

const EDGE_IDENTITY_POLICIES: NamedPolicy[] = [
  { id: "identity other-account key", document: keyPolicyOf({ Sid: "Foreign", Effect: "Allow", Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: "arn:aws:kms:us-east-1:*:key/*" }) },
  { id: "identity NotResource", document: keyPolicyOf({ Sid: "NotRes", Effect: "Allow", Action: "kms:*", NotResource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321` }) },
  { id: "identity context keys ForAllValues", document: keyPolicyOf({ Sid: "Ctx", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: "*", Condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App"] } } }) },
];

function edgeCases(): Case[] {
  const principals = [
    roleSession(VAULT_ROLE, "vault-0"),
    roleSession(`arn:aws:iam::${ACCOUNT}:role/vault-other`, "vault-0"),
    user(`arn:aws:iam::${ACCOUNT}:user/ops`),
    roleSession("arn:aws:iam::444455556666:role/vault-unseal", "vault-0"),
  ];
  const leastPrivilege = fixtureIdentityPolicies().find((p) => p.id === "identity-least-privilege.json")!;
  const broad = fixtureIdentityPolicies().find((p) => p.id === "identity-broad.json")!;
  const identitySets = [
    { id: "no identity policy", policies: [] },
    { id: leastPrivilege.id, policies: [leastPrivilege] },
    { id: broad.id, policies: [broad] },
  ];
  const keyPolicies = [...EDGE_KEY_POLICIES, ...fixtureKeyPolicies().filter((k) => k.id === "key-policy-default.json")];
  const byKeyPolicy = keyPolicies.flatMap((key) =>
    identitySets.flatMap((identity) =>
      principals.flatMap((principal) => kmsCases(`${identity.id} + ${key.id}`, principal, identity.policies, key.document, KEY_ARN, [...VAULT_ACTIONS, "kms:GetKeyPolicy"])),
    ),
  );
  const foreignKey = `arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const byIdentity = EDGE_IDENTITY_POLICIES.flatMap((identity) =>
    principals.flatMap((principal) => [
      ...kmsCases(`${identity.id} + key-policy-default.json`, principal, [identity], fixtureKeyPolicies()[0]!.document, KEY_ARN, VAULT_ACTIONS),
      ...kmsCases(`${identity.id} + foreign key enabling 111122223333`, principal, [identity], keyPolicyOf({ ...ENABLE_IAM, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }), foreignKey, VAULT_ACTIONS),
    ]),
  );
  return [...byKeyPolicy, ...byIdentity];
}

// ---------------------------------------------------------------------------------------------------------------
// Cases from fixtures/scenarios: every caller the scenario defines, on every key, with the policies the emulator uses.

function scenarioPrincipals(s: AwsScenario): Principal[] {
  const found = new Map<string, Principal>();
  const add = (p: Principal) => found.set(p.callerArn, p);
  for (const key of s.accessKeys ?? []) {
    const isUser = (s.users ?? []).some((u) => userArn(s, u) === key.principalArn);
    add(isUser ? user(key.principalArn) : roleSession(key.principalArn, key.sessionName ?? "session"));
  }
  if (s.webIdentity) add(roleSession(s.webIdentity.roleArn, s.webIdentity.sessionName ?? "web-identity"));
  if (s.containerCredentials) add(roleSession(s.containerCredentials.roleArn, "pod-identity"));
  if (s.imds) add(roleSession(`arn:aws:iam::${s.accountId}:role/${s.imds.roleName}`, "i-instance"));
  for (const role of s.roles ?? []) add(roleSession(roleArnOf(s, role), "session"));
  for (const u of s.users ?? []) add(user(userArn(s, u)));
  return [...found.values()];
}

function scenarioCases(): Case[] {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith(".json")).sort();
  return files.flatMap((file) => {
    const s = (JSON.parse(readFileSync(join(SCENARIOS, file), "utf8")) as { aws?: AwsScenario }).aws;
    if (!s) return [];
    return scenarioPrincipals(s).flatMap((principal) => {
      const identityPolicies = identityPoliciesOf(s, principal.principalArn);
      const onKeys = s.keys.flatMap((key) => {
        const account = key.accountId ?? s.accountId;
        const keyArn = `arn:aws:kms:${key.region}:${account}:key/${key.keyId}`;
        return kmsCases(file, principal, identityPolicies, key.policy ?? defaultKeyPolicy(account), keyArn, [
          ...VAULT_ACTIONS,
          "kms:GetKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:ListResourceTags",
        ]);
      });
      const generic = (action: string, resource: string): Case => ({
        label: `${file} | ${principal.label} | ${action} on ${resource}`,
        kind: "generic",
        principal,
        identityPolicies,
        action,
        resource,
        resourceAccountId: s.accountId,
      });
      return [
        ...onKeys,
        generic("kms:ListAliases", "*"),
        generic("iam:GetRole", principal.isSession ? principal.principalArn : `arn:aws:iam::${s.accountId}:role/vault-unseal`),
        generic("iam:SimulatePrincipalPolicy", principal.principalArn),
      ];
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------

interface KnownDifference {
  id: string;
  /** Which side is right, per the AWS page cited in `reason`. */
  right: "src/iam" | "iam-simulate" | "neither (not the same request)";
  reason: string;
  applies: (c: Case, shape: Shape, ours: Decision, theirs: Independent) => boolean;
}

/**
 * Where the two evaluators differ, each with the side that is right and why. Every entry must still occur (the last
 * test checks), so a library upgrade that changes one is noticed.
 */
const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: "NotPrincipal with Deny: a listed account or role does not exempt the other principals of it",
    right: "src/iam",
    reason:
      "AWS: a Deny with NotPrincipal denies every principal except the ones named; the documented examples list " +
      "[user/Bob, account root] to exempt only Bob, and [assumed-role session, role, account root] to exempt only that " +
      "session (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html, " +
      "\"NotPrincipal with Deny\"). iam-simulate 0.1.173 treats an account-level or role-level match as exempt " +
      "(requestMatchesNotPrincipal in dist/esm/principal/principal.js, whose own comment says the account-level case " +
      "still needs research), so it lets user/ops, other roles' sessions and unnamed sessions through.",
    applies: (c, _shape, ours, theirs) =>
      c.label.includes("+ NotPrincipal deny |") && ours === "explicitDeny" && theirs !== "ExplicitlyDenied",
  },
  {
    id: "a key policy that names one role session, asked without a session",
    right: "neither (not the same request)",
    reason:
      "A Principal may name one assumed-role session " +
      "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-role-session); " +
      "in the role shape the doctor does not know the session name Vault will use, so it cannot count that grant. " +
      "iam-simulate is asked as that very session. In the session shape both agree.",
    applies: (c, shape, ours, theirs) => c.label.includes("+ session principal |") && shape === "role" && ours === "implicitDeny" && theirs === "Allowed",
  },
];

interface Comparison {
  compared: number;
  disagreements: string[];
  known: Map<string, number>;
  ignoredKeys: string[];
  withContext: number;
}

async function compare(cases: Case[]): Promise<Comparison> {
  const result: Comparison = { compared: 0, disagreements: [], known: new Map(), ignoredKeys: [], withContext: 0 };
  const ignoredKeys = new Set<string>();
  for (const c of cases) {
    const theirs = await independent(c);
    theirs.ignored.forEach((k) => ignoredKeys.add(k));
    if (c.encryptionContext) result.withContext++;
    for (const { shape, decision } of doctor(c)) {
      result.compared++;
      if (AS_INDEPENDENT[decision] === theirs.decision) continue;
      const known = KNOWN_DIFFERENCES.find((k) => k.applies(c, shape, decision, theirs.decision));
      if (known) result.known.set(known.id, (result.known.get(known.id) ?? 0) + 1);
      else result.disagreements.push(`${c.label} [${shape}]: src/iam ${decision}, iam-simulate ${theirs.decision}`);
    }
  }
  result.ignoredKeys = [...ignoredKeys].sort();
  return result;
}

describe("src/iam agrees with @cloud-copilot/iam-simulate", () => {
  it("on every combination of the policy fixtures", async () => {
    const cases = fixtureCases();
    expect(cases.length).toBeGreaterThan(1000);
    const decisions = new Set(cases.map((c) => c.action));
    expect(decisions).toEqual(new Set([...VAULT_ACTIONS, ...OTHER_KEY_ACTIONS]));
    const result = await compare(cases);
    expect(result.disagreements).toEqual([]);
    expect(result.withContext).toBeGreaterThan(0);
    // The recorded limitation: only the encryption-context keys are dropped by runSimulation.
    expect(result.ignoredKeys).toEqual(["kms:EncryptionContext:App", "kms:EncryptionContext:Other"]);
  }, 120_000);

  it("on condition keys, principal forms and cross-account keys", async () => {
    const cases = edgeCases();
    const result = await compare(cases);
    expect(result.disagreements).toEqual([]);
    // Every recorded difference still occurs.
    expect([...result.known.keys()].sort()).toEqual(KNOWN_DIFFERENCES.map((k) => k.id).sort());
  }, 120_000);

  it("on every caller, key and action of every AWS scenario", async () => {
    const cases = scenarioCases();
    const scenariosWithAws = new Set(cases.map((c) => c.label.split(" | ")[0]));
    expect(scenariosWithAws.size).toBeGreaterThanOrEqual(25);
    const result = await compare(cases);
    expect(result.disagreements).toEqual([]);
    expect(result.ignoredKeys).toEqual(["kms:EncryptionContext:App", "kms:EncryptionContext:Other"]);
  }, 120_000);

  it("both sides see every decision kind, so agreement is not agreement on one answer", async () => {
    const seen = new Set<string>();
    for (const c of [...fixtureCases(), ...edgeCases(), ...scenarioCases()]) for (const d of doctor(c)) seen.add(d.decision);
    expect(seen).toEqual(new Set(["allowed", "explicitDeny", "implicitDeny"]));
  });
});
