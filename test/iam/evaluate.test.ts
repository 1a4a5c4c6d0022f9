// Table-driven cases for the IAM evaluator. Every case names the AWS documentation page its expectation comes from.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  evaluateGeneric,
  evaluateKmsRequest,
  statementMatches,
  type Decision,
  type NamedPolicy,
  type PolicyStatement,
  type RequestContext,
} from "../../src/iam/index.js";

const DOCS = {
  evaluation: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
  crossAccount: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
  accessDenied: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
  kmsKeyPolicies: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
  kmsDefault: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
  kmsAccess: "https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html",
  kmsExternal: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
  kmsContext: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context",
  kmsContextKeys: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys",
  principal: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
  notPrincipal: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
  action: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
  notAction: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
  resource: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
  notResource: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
  condition: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html",
  operators: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
  multiValued: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
  multipleKeys: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html",
} as const;

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/vault-unseal`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/vault-unseal/vault-0`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/key-admin`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
const FOREIGN_KEY = `arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const VAULT_ACTIONS = ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"];

const NO_IDENTITY_ALLOW = (action: string) => `because no identity-based policy allows the ${action} action`;
const NO_RESOURCE_ALLOW = (action: string) => `because no resource-based policy allows the ${action} action`;
const DENY_IDENTITY = "with an explicit deny in an identity-based policy";
const DENY_RESOURCE = "with an explicit deny in a resource-based policy";

function identity(id: string, ...Statement: PolicyStatement[]): NamedPolicy {
  return { id, document: { Version: "2012-10-17", Statement } };
}
function keyPolicy(...Statement: PolicyStatement[]): NamedPolicy {
  return { id: "key-policy", document: { Version: "2012-10-17", Statement } };
}

/** The statement every default key policy starts with (key-policy-default.html). */
const ENABLE_IAM: PolicyStatement = {
  Sid: "Enable IAM User Permissions",
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: "kms:*",
  Resource: "*",
};
const VAULT_IDENTITY = identity("vault-kms", { Sid: "VaultUnseal", Effect: "Allow", Action: VAULT_ACTIONS, Resource: KEY });
const KEY_ADMINS: PolicyStatement = {
  Sid: "Allow access for Key Administrators",
  Effect: "Allow",
  Principal: { AWS: OTHER_ROLE },
  Action: ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"],
  Resource: "*",
};

/** The policy some unseal guides publish: it requires an encryption context that Vault's awskms seal never sends. */
const GUIDE_TRAP: PolicyStatement = {
  Sid: "VaultWithContext",
  Effect: "Allow",
  Action: VAULT_ACTIONS,
  Resource: KEY,
  Condition: { StringEquals: { "kms:EncryptionContext:App": "vault" } },
};

function request(overrides: Partial<RequestContext> = {}): RequestContext {
  return { principalArn: ROLE, sessionArn: SESSION, action: "kms:Decrypt", resource: KEY, context: {}, ...overrides };
}

interface DecisionCase {
  name: string;
  docs: string;
  evaluator?: "kms" | "generic";
  identityPolicies?: NamedPolicy[];
  keyPolicy?: NamedPolicy;
  resourceAccountId?: string;
  request?: Partial<RequestContext>;
  expect: { decision: Decision; denialReason?: string; sids?: string[]; missing?: string[] };
}

const kmsCases: DecisionCase[] = [
  {
    name: "default key policy enables IAM and the identity policy allows -> allowed",
    docs: DOCS.kmsDefault,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"], missing: [] },
  },
  {
    name: "account principal written as the bare account id also enables IAM policies",
    docs: DOCS.principal,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy({ ...ENABLE_IAM, Principal: { AWS: ACCOUNT } }),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"] },
  },
  {
    name: "key policy without the root statement: identity allow alone grants nothing",
    docs: DOCS.kmsAccess,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(KEY_ADMINS),
    expect: { decision: "implicitDeny", denialReason: NO_RESOURCE_ALLOW("kms:Decrypt"), sids: [] },
  },
  {
    name: "no key policy at all: identity allow alone grants nothing",
    docs: DOCS.kmsKeyPolicies,
    identityPolicies: [VAULT_IDENTITY],
    expect: { decision: "implicitDeny", denialReason: NO_RESOURCE_ALLOW("kms:Decrypt") },
  },
  {
    name: "key policy enables IAM but no identity policy allows",
    docs: DOCS.kmsDefault,
    identityPolicies: [],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "neither policy allows",
    docs: DOCS.accessDenied,
    identityPolicies: [identity("other", { Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
    keyPolicy: keyPolicy(KEY_ADMINS),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "key policy names the role directly, no identity policy -> allowed",
    docs: DOCS.kmsKeyPolicies,
    identityPolicies: [],
    keyPolicy: keyPolicy(KEY_ADMINS, { Sid: "AllowVaultRole", Effect: "Allow", Principal: { AWS: ROLE }, Action: VAULT_ACTIONS, Resource: "*" }),
    expect: { decision: "allowed", sids: ["AllowVaultRole"] },
  },
  {
    name: "role ARN principal matches a session of that role",
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "AllowVaultRole", Effect: "Allow", Principal: { AWS: [ROLE] }, Action: "kms:Decrypt", Resource: "*" }),
    request: { sessionArn: SESSION },
    expect: { decision: "allowed", sids: ["AllowVaultRole"] },
  },
  {
    name: "session ARN principal matches that session",
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "AllowSession", Effect: "Allow", Principal: { AWS: SESSION }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "allowed", sids: ["AllowSession"] },
  },
  {
    name: "session ARN principal does not match another session of the same role",
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "AllowSession", Effect: "Allow", Principal: { AWS: SESSION }, Action: "kms:Decrypt", Resource: "*" }),
    request: { sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/vault-unseal/vault-1` },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "another role named in the key policy does not match",
    docs: DOCS.principal,
    keyPolicy: keyPolicy(KEY_ADMINS),
    request: { action: "kms:DescribeKey" },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:DescribeKey") },
  },
  {
    name: 'Principal "*" matches everyone',
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "Everyone", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "allowed", sids: ["Everyone"] },
  },
  {
    name: 'Principal {"AWS":"*"} matches everyone',
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "AnyAws", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "allowed", sids: ["AnyAws"] },
  },
  {
    name: "Service principal never matches an IAM role caller",
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "Ec2", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "Federated principal never matches an IAM role caller",
    docs: DOCS.principal,
    keyPolicy: keyPolicy({ Sid: "Oidc", Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "explicit deny in an identity policy wins over key policy allow",
    docs: DOCS.evaluation,
    identityPolicies: [VAULT_IDENTITY, identity("guardrail", { Sid: "DenyDecrypt", Effect: "Deny", Action: "kms:Decrypt", Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM, { Sid: "AllowVaultRole", Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:*", Resource: "*" }),
    expect: { decision: "explicitDeny", denialReason: DENY_IDENTITY, sids: ["DenyDecrypt"] },
  },
  {
    name: "explicit deny in the key policy wins over identity allow",
    docs: DOCS.evaluation,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, { Sid: "DenyVault", Effect: "Deny", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "explicitDeny", denialReason: DENY_RESOURCE, sids: ["DenyVault"] },
  },
  {
    name: "deny in both kinds of policy: every matching Deny is reported",
    docs: DOCS.evaluation,
    identityPolicies: [identity("guardrail", { Sid: "IdDeny", Effect: "Deny", Action: "kms:*", Resource: "*" })],
    keyPolicy: keyPolicy({ Sid: "KeyDeny", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "explicitDeny", denialReason: DENY_IDENTITY, sids: ["IdDeny", "KeyDeny"] },
  },
  {
    name: "action wildcard kms:Enc* matches kms:Encrypt",
    docs: DOCS.action,
    identityPolicies: [identity("enc", { Sid: "Enc", Effect: "Allow", Action: "kms:Enc*", Resource: KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { action: "kms:Encrypt" },
    expect: { decision: "allowed", sids: ["Enc", "Enable IAM User Permissions"] },
  },
  {
    name: "action wildcard kms:Enc* does not match kms:Decrypt",
    docs: DOCS.action,
    identityPolicies: [identity("enc", { Sid: "Enc", Effect: "Allow", Action: "kms:Enc*", Resource: KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "action names match case-insensitively",
    docs: DOCS.action,
    identityPolicies: [identity("lower", { Sid: "Lower", Effect: "Allow", Action: "KMS:decrypt", Resource: KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["Lower", "Enable IAM User Permissions"] },
  },
  {
    name: 'Action "*" matches every action',
    docs: DOCS.action,
    identityPolicies: [identity("admin", { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { action: "kms:DescribeKey" },
    expect: { decision: "allowed", sids: ["Admin", "Enable IAM User Permissions"] },
  },
  {
    name: "resource wildcard over the account's keys matches",
    docs: DOCS.resource,
    identityPolicies: [identity("keys", { Sid: "AnyKey", Effect: "Allow", Action: "kms:Decrypt", Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["AnyKey", "Enable IAM User Permissions"] },
  },
  {
    name: "resource naming another key does not match",
    docs: DOCS.resource,
    identityPolicies: [identity("other-key", { Sid: "OtherKey", Effect: "Allow", Action: "kms:Decrypt", Resource: OTHER_KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "NotAction Allow covers every action but the listed ones",
    docs: DOCS.notAction,
    identityPolicies: [identity("all-but-delete", { Sid: "AllButDelete", Effect: "Allow", NotAction: "kms:ScheduleKeyDeletion", Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["AllButDelete", "Enable IAM User Permissions"] },
  },
  {
    name: "NotAction Allow excludes the listed action",
    docs: DOCS.notAction,
    identityPolicies: [identity("all-but-delete", { Sid: "AllButDelete", Effect: "Allow", NotAction: "kms:ScheduleKeyDeletion", Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { action: "kms:ScheduleKeyDeletion" },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:ScheduleKeyDeletion") },
  },
  {
    name: "NotAction Deny spares the listed actions",
    docs: DOCS.notAction,
    identityPolicies: [VAULT_IDENTITY, identity("only-vault", { Sid: "OnlyVaultActions", Effect: "Deny", NotAction: VAULT_ACTIONS, Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"] },
  },
  {
    name: "NotAction Deny hits an unlisted action",
    docs: DOCS.notAction,
    identityPolicies: [identity("only-vault", { Sid: "OnlyVaultActions", Effect: "Deny", NotAction: VAULT_ACTIONS, Resource: "*" })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { action: "kms:CreateGrant" },
    expect: { decision: "explicitDeny", denialReason: DENY_IDENTITY, sids: ["OnlyVaultActions"] },
  },
  {
    name: "NotResource Deny does not apply to the excluded key",
    docs: DOCS.notResource,
    identityPolicies: [VAULT_IDENTITY, identity("fence", { Sid: "OnlyThisKey", Effect: "Deny", Action: "kms:*", NotResource: KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"] },
  },
  {
    name: "NotResource Deny applies to any other key",
    docs: DOCS.notResource,
    identityPolicies: [identity("fence", { Sid: "OnlyThisKey", Effect: "Deny", Action: "kms:*", NotResource: KEY })],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { resource: OTHER_KEY },
    expect: { decision: "explicitDeny", denialReason: DENY_IDENTITY, sids: ["OnlyThisKey"] },
  },
  {
    name: "NotPrincipal Deny listing session, role and account spares the caller",
    docs: DOCS.notPrincipal,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, {
      Sid: "OnlyVault",
      Effect: "Deny",
      NotPrincipal: { AWS: [SESSION, ROLE, ROOT] },
      Action: "kms:Decrypt",
      Resource: "*",
    }),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"] },
  },
  {
    name: "NotPrincipal Deny listing only the role does not spare its session (account left out)",
    docs: DOCS.notPrincipal,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, { Sid: "OnlyVault", Effect: "Deny", NotPrincipal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" }),
    expect: { decision: "explicitDeny", denialReason: DENY_RESOURCE, sids: ["OnlyVault"] },
  },
  {
    name: "NotPrincipal Deny hits a principal it does not list",
    docs: DOCS.notPrincipal,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, { Sid: "OnlyAdmin", Effect: "Deny", NotPrincipal: { AWS: [OTHER_ROLE, ROOT] }, Action: "kms:*", Resource: "*" }),
    expect: { decision: "explicitDeny", denialReason: DENY_RESOURCE, sids: ["OnlyAdmin"] },
  },
  ...VAULT_ACTIONS.map(
    (action): DecisionCase => ({
      name: `guide trap: ${action} without encryption context (as Vault sends it) is denied`,
      docs: DOCS.kmsContext,
      identityPolicies: [identity("guide", GUIDE_TRAP)],
      keyPolicy: keyPolicy(ENABLE_IAM),
      request: { action, context: {} },
      expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW(action), missing: ["kms:EncryptionContext:App"] },
    }),
  ),
  {
    name: "guide trap: a request carrying App=vault is allowed",
    docs: DOCS.kmsContext,
    identityPolicies: [identity("guide", GUIDE_TRAP)],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { action: "kms:Encrypt", context: { "kms:EncryptionContext:App": "vault", "kms:EncryptionContextKeys": ["App"] } },
    expect: { decision: "allowed", sids: ["VaultWithContext", "Enable IAM User Permissions"], missing: [] },
  },
  {
    name: "guide trap in the key policy itself: no context -> denied, key listed as missing",
    docs: DOCS.kmsContext,
    keyPolicy: keyPolicy({ ...GUIDE_TRAP, Principal: { AWS: ROLE }, Resource: "*" }),
    request: { action: "kms:DescribeKey" },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:DescribeKey"), missing: ["kms:EncryptionContext:App"] },
  },
  {
    name: "guide trap: wrong context value is denied and nothing is missing",
    docs: DOCS.kmsContext,
    identityPolicies: [identity("guide", GUIDE_TRAP)],
    keyPolicy: keyPolicy(ENABLE_IAM),
    request: { context: { "kms:EncryptionContext:App": "Vault" } },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt"), missing: [] },
  },
  {
    name: "Deny with a condition on an absent key does not apply",
    docs: DOCS.operators,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, {
      Sid: "DenyOutsideVpce",
      Effect: "Deny",
      Principal: "*",
      Action: "kms:*",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    }),
    expect: { decision: "allowed", sids: ["VaultUnseal", "Enable IAM User Permissions"], missing: ["aws:SourceVpce"] },
  },
  {
    name: "Deny with a negated operator on an absent key applies",
    docs: DOCS.operators,
    identityPolicies: [VAULT_IDENTITY],
    keyPolicy: keyPolicy(ENABLE_IAM, {
      Sid: "DenyUnlessVpce",
      Effect: "Deny",
      Principal: "*",
      Action: "kms:*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    }),
    expect: { decision: "explicitDeny", denialReason: DENY_RESOURCE, sids: ["DenyUnlessVpce"], missing: ["aws:SourceVpce"] },
  },
  {
    name: "missing context values come only from statements that apply to the action",
    docs: DOCS.condition,
    identityPolicies: [
      VAULT_IDENTITY,
      identity("grants", { Sid: "Grants", Effect: "Allow", Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } }),
    ],
    keyPolicy: keyPolicy(ENABLE_IAM),
    expect: { decision: "allowed", missing: [] },
  },
  {
    name: "cross-account key: key policy allows the caller's account and the identity policy allows",
    docs: DOCS.kmsExternal,
    identityPolicies: [identity("foreign", { Sid: "UseForeignKey", Effect: "Allow", Action: VAULT_ACTIONS, Resource: FOREIGN_KEY })],
    keyPolicy: keyPolicy({ Sid: "AllowExternal", Effect: "Allow", Principal: { AWS: ROOT }, Action: VAULT_ACTIONS, Resource: "*" }),
    request: { resource: FOREIGN_KEY },
    expect: { decision: "allowed", sids: ["UseForeignKey", "AllowExternal"] },
  },
  {
    name: "cross-account key: a key policy naming the role still needs the caller's identity policy",
    docs: DOCS.kmsExternal,
    keyPolicy: keyPolicy({ Sid: "AllowExternalRole", Effect: "Allow", Principal: { AWS: ROLE }, Action: VAULT_ACTIONS, Resource: "*" }),
    request: { resource: FOREIGN_KEY },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("kms:Decrypt") },
  },
  {
    name: "cross-account key: identity allows but the key policy does not name the caller's account",
    docs: DOCS.kmsExternal,
    identityPolicies: [identity("foreign", { Sid: "UseForeignKey", Effect: "Allow", Action: VAULT_ACTIONS, Resource: FOREIGN_KEY })],
    keyPolicy: keyPolicy({ ...ENABLE_IAM, Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` } }),
    request: { resource: FOREIGN_KEY },
    expect: { decision: "implicitDeny", denialReason: NO_RESOURCE_ALLOW("kms:Decrypt") },
  },
];

const genericCases: DecisionCase[] = [
  {
    name: "same account: identity allow suffices without a resource policy",
    docs: DOCS.evaluation,
    evaluator: "generic",
    identityPolicies: [identity("s3", { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" })],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "allowed", sids: ["Read"] },
  },
  {
    name: "same account: resource policy naming the role suffices without an identity policy",
    docs: DOCS.evaluation,
    evaluator: "generic",
    keyPolicy: keyPolicy({ Sid: "RoleRead", Effect: "Allow", Principal: { AWS: ROLE }, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }),
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "allowed", sids: ["RoleRead"] },
  },
  {
    name: "same account: resource policy naming only the account delegates to IAM",
    docs: DOCS.principal,
    evaluator: "generic",
    keyPolicy: keyPolicy({ Sid: "Account", Effect: "Allow", Principal: { AWS: ROOT }, Action: "s3:GetObject", Resource: "*" }),
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("s3:GetObject") },
  },
  {
    name: "explicit deny in the resource policy wins over identity allow",
    docs: DOCS.evaluation,
    evaluator: "generic",
    identityPolicies: [identity("s3", { Sid: "Read", Effect: "Allow", Action: "s3:*", Resource: "*" })],
    keyPolicy: keyPolicy({ Sid: "NoRead", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*" }),
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "explicitDeny", denialReason: DENY_RESOURCE, sids: ["NoRead"] },
  },
  {
    name: "nothing allows -> implicit deny",
    docs: DOCS.evaluation,
    evaluator: "generic",
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "implicitDeny", denialReason: NO_IDENTITY_ALLOW("s3:GetObject"), sids: [] },
  },
  {
    name: "cross account: identity allow without a resource policy is not enough",
    docs: DOCS.crossAccount,
    evaluator: "generic",
    identityPolicies: [identity("s3", { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
    resourceAccountId: OTHER_ACCOUNT,
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "implicitDeny", denialReason: NO_RESOURCE_ALLOW("s3:GetObject") },
  },
  {
    name: "cross account: both sides allow",
    docs: DOCS.crossAccount,
    evaluator: "generic",
    identityPolicies: [identity("s3", { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
    keyPolicy: keyPolicy({ Sid: "TrustAccount", Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: "*" }),
    resourceAccountId: OTHER_ACCOUNT,
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key.txt" },
    expect: { decision: "allowed", sids: ["Read", "TrustAccount"] },
  },
];

function runCase(c: DecisionCase) {
  const req = request(c.request);
  return c.evaluator === "generic"
    ? evaluateGeneric({ identityPolicies: c.identityPolicies ?? [], resourcePolicy: c.keyPolicy, request: req, resourceAccountId: c.resourceAccountId })
    : evaluateKmsRequest({ identityPolicies: c.identityPolicies ?? [], keyPolicy: c.keyPolicy, request: req });
}

describe.each([
  ["evaluateKmsRequest", kmsCases],
  ["evaluateGeneric", genericCases],
] as const)("%s", (_label, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(c.docs).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    const result = runCase(c);
    expect(result.decision).toBe(c.expect.decision);
    expect(result.denialReason).toBe(c.expect.denialReason ?? "");
    if (c.expect.sids) expect(result.matchedStatements.map((s) => s.sid)).toEqual(c.expect.sids);
    if (c.expect.missing) expect(result.missingContextValues).toEqual(c.expect.missing);
  });
});

describe("matched statement records", () => {
  it("carry policy id, source, index and effect", () => {
    const result = evaluateKmsRequest({ identityPolicies: [VAULT_IDENTITY], keyPolicy: keyPolicy(KEY_ADMINS, ENABLE_IAM), request: request() });
    expect(result.matchedStatements).toEqual([
      { policyId: "vault-kms", source: "identity", sid: "VaultUnseal", index: 0, effect: "Allow" },
      { policyId: "key-policy", source: "resource", sid: "Enable IAM User Permissions", index: 1, effect: "Allow" },
    ]);
  });

  it("accept a single statement object instead of a list", () => {
    const single: NamedPolicy = { id: "single", document: { Statement: { Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" } } };
    const result = evaluateKmsRequest({ identityPolicies: [], keyPolicy: single, request: request() });
    expect(result.decision).toBe("allowed");
    expect(result.matchedStatements).toEqual([{ policyId: "single", source: "resource", index: 0, effect: "Allow" }]);
  });
});

interface ConditionCase {
  name: string;
  docs: string;
  condition: NonNullable<PolicyStatement["Condition"]>;
  context: Record<string, string | string[]>;
  matches: boolean;
  missing?: string[];
}

const T0 = "2024-01-01T00:00:00Z";
const conditionCases: ConditionCase[] = [
  // String operators (Conditions_String)
  { name: "StringEquals: equal value", docs: DOCS.operators, condition: { StringEquals: { "kms:EncryptionContext:App": "vault" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: true },
  { name: "StringEquals: values are case-sensitive", docs: DOCS.operators, condition: { StringEquals: { "kms:EncryptionContext:App": "vault" } }, context: { "kms:EncryptionContext:App": "Vault" }, matches: false },
  { name: "StringEquals: key names are case-insensitive", docs: DOCS.condition, condition: { StringEquals: { "KMS:encryptioncontext:app": "vault" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: true, missing: [] },
  { name: "StringEquals: absent key is false and reported", docs: DOCS.operators, condition: { StringEquals: { "kms:EncryptionContext:App": "vault" } }, context: {}, matches: false, missing: ["kms:EncryptionContext:App"] },
  { name: "StringEquals: several values are OR", docs: DOCS.multipleKeys, condition: { StringEquals: { "aws:PrincipalTag/team": ["ops", "sec"] } }, context: { "aws:PrincipalTag/team": "sec" }, matches: true },
  { name: "StringNotEquals: different value", docs: DOCS.operators, condition: { StringNotEquals: { "aws:PrincipalTag/team": "ops" } }, context: { "aws:PrincipalTag/team": "dev" }, matches: true },
  { name: "StringNotEquals: same value", docs: DOCS.operators, condition: { StringNotEquals: { "aws:PrincipalTag/team": "ops" } }, context: { "aws:PrincipalTag/team": "ops" }, matches: false },
  { name: "StringNotEquals: several values are NOR", docs: DOCS.multipleKeys, condition: { StringNotEquals: { "aws:PrincipalTag/team": ["ops", "sec"] } }, context: { "aws:PrincipalTag/team": "sec" }, matches: false },
  { name: "StringNotEquals: absent key is true", docs: DOCS.operators, condition: { StringNotEquals: { "aws:PrincipalTag/team": "ops" } }, context: {}, matches: true, missing: ["aws:PrincipalTag/team"] },
  { name: "StringEqualsIgnoreCase: case is ignored", docs: DOCS.operators, condition: { StringEqualsIgnoreCase: { "kms:EncryptionContext:App": "VAULT" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: true },
  { name: "StringNotEqualsIgnoreCase: same value in other case", docs: DOCS.operators, condition: { StringNotEqualsIgnoreCase: { "kms:EncryptionContext:App": "VAULT" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: false },
  { name: "StringLike: * wildcard", docs: DOCS.operators, condition: { StringLike: { "kms:EncryptionContext:App": "vault-*" } }, context: { "kms:EncryptionContext:App": "vault-prod" }, matches: true },
  { name: "StringLike: ? wildcard matches exactly one character", docs: DOCS.operators, condition: { StringLike: { "kms:EncryptionContext:App": "vault-?" } }, context: { "kms:EncryptionContext:App": "vault-10" }, matches: false },
  { name: "StringLike: case-sensitive", docs: DOCS.operators, condition: { StringLike: { "kms:EncryptionContext:App": "vault-*" } }, context: { "kms:EncryptionContext:App": "Vault-prod" }, matches: false },
  { name: "StringNotLike: value outside the pattern", docs: DOCS.operators, condition: { StringNotLike: { "kms:EncryptionContext:App": "vault-*" } }, context: { "kms:EncryptionContext:App": "web" }, matches: true },
  { name: "StringNotLike: value inside the pattern", docs: DOCS.operators, condition: { StringNotLike: { "kms:EncryptionContext:App": "vault-*" } }, context: { "kms:EncryptionContext:App": "vault-dr" }, matches: false },
  { name: "StringNotLike: absent key is true", docs: DOCS.operators, condition: { StringNotLike: { "kms:EncryptionContext:App": "vault-*" } }, context: {}, matches: true },
  // ARN operators (Conditions_ARN)
  { name: "ArnEquals: exact role ARN", docs: DOCS.operators, condition: { ArnEquals: { "aws:PrincipalArn": ROLE } }, context: { "aws:PrincipalArn": ROLE }, matches: true },
  { name: "ArnLike: wildcard in the resource segment", docs: DOCS.operators, condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/vault-*` } }, context: { "aws:PrincipalArn": ROLE }, matches: true },
  { name: "ArnLike: segments are compared separately", docs: DOCS.operators, condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/vault-unseal" } }, context: { "aws:PrincipalArn": ROLE }, matches: true },
  { name: "ArnLike: a value that is not an ARN does not match", docs: DOCS.operators, condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } }, context: { "aws:PrincipalArn": "vault-unseal" }, matches: false },
  { name: "ArnNotEquals: another role", docs: DOCS.operators, condition: { ArnNotEquals: { "aws:PrincipalArn": OTHER_ROLE } }, context: { "aws:PrincipalArn": ROLE }, matches: true },
  { name: "ArnNotLike: matching pattern", docs: DOCS.operators, condition: { ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/vault-*` } }, context: { "aws:PrincipalArn": ROLE }, matches: false },
  { name: "ArnNotLike: absent key is true", docs: DOCS.operators, condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } }, context: {}, matches: true },
  // Bool and Null (Conditions_Boolean, Conditions_Null)
  { name: "Bool: boolean policy value true", docs: DOCS.operators, condition: { Bool: { "aws:SecureTransport": true } }, context: { "aws:SecureTransport": "true" }, matches: true },
  { name: "Bool: false does not equal true", docs: DOCS.operators, condition: { Bool: { "aws:SecureTransport": "true" } }, context: { "aws:SecureTransport": "false" }, matches: false },
  { name: "Bool: absent key is false", docs: DOCS.operators, condition: { Bool: { "kms:GrantIsForAWSResource": "true" } }, context: {}, matches: false, missing: ["kms:GrantIsForAWSResource"] },
  { name: "Null true: key absent", docs: DOCS.operators, condition: { Null: { "kms:EncryptionContextKeys": "true" } }, context: {}, matches: true, missing: ["kms:EncryptionContextKeys"] },
  { name: "Null true: key present", docs: DOCS.operators, condition: { Null: { "kms:EncryptionContextKeys": "true" } }, context: { "kms:EncryptionContextKeys": ["App"] }, matches: false },
  { name: "Null false: key present", docs: DOCS.operators, condition: { Null: { "kms:EncryptionContextKeys": false } }, context: { "kms:EncryptionContextKeys": ["App"] }, matches: true },
  { name: "Null false: key absent", docs: DOCS.operators, condition: { Null: { "kms:EncryptionContextKeys": "false" } }, context: {}, matches: false },
  { name: "Null false: empty list counts as null", docs: DOCS.multiValued, condition: { Null: { "kms:EncryptionContextKeys": "false" } }, context: { "kms:EncryptionContextKeys": [] }, matches: false, missing: [] },
  // Numeric (Conditions_Numeric)
  { name: "NumericEquals", docs: DOCS.operators, condition: { NumericEquals: { "kms:MultiRegionKeyCount": 2 } }, context: { "kms:MultiRegionKeyCount": "2" }, matches: true },
  { name: "NumericNotEquals", docs: DOCS.operators, condition: { NumericNotEquals: { "kms:MultiRegionKeyCount": "2" } }, context: { "kms:MultiRegionKeyCount": "3" }, matches: true },
  { name: "NumericLessThan: smaller", docs: DOCS.operators, condition: { NumericLessThan: { "kms:GrantCount": 10 } }, context: { "kms:GrantCount": "9" }, matches: true },
  { name: "NumericLessThan: equal is not less", docs: DOCS.operators, condition: { NumericLessThan: { "kms:GrantCount": 10 } }, context: { "kms:GrantCount": "10" }, matches: false },
  { name: "NumericLessThanEquals: equal", docs: DOCS.operators, condition: { NumericLessThanEquals: { "kms:GrantCount": 10 } }, context: { "kms:GrantCount": "10" }, matches: true },
  { name: "NumericGreaterThan: larger", docs: DOCS.operators, condition: { NumericGreaterThan: { "aws:MultiFactorAuthAge": "3600" } }, context: { "aws:MultiFactorAuthAge": "7200" }, matches: true },
  { name: "NumericGreaterThanEquals: equal", docs: DOCS.operators, condition: { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "3600" } }, context: { "aws:MultiFactorAuthAge": "3600" }, matches: true },
  { name: "Numeric: a non-number never matches", docs: DOCS.operators, condition: { NumericGreaterThan: { "aws:MultiFactorAuthAge": "3600" } }, context: { "aws:MultiFactorAuthAge": "soon" }, matches: false },
  // Dates (Conditions_Date)
  { name: "DateLessThan: earlier ISO date", docs: DOCS.operators, condition: { DateLessThan: { "aws:CurrentTime": T0 } }, context: { "aws:CurrentTime": "2023-12-31T23:59:59Z" }, matches: true },
  { name: "DateLessThan: later date", docs: DOCS.operators, condition: { DateLessThan: { "aws:CurrentTime": T0 } }, context: { "aws:CurrentTime": "2024-06-01T00:00:00Z" }, matches: false },
  { name: "DateGreaterThan: epoch seconds policy value", docs: DOCS.operators, condition: { DateGreaterThan: { "aws:CurrentTime": "1704067200" } }, context: { "aws:CurrentTime": "2024-06-01T00:00:00Z" }, matches: true },
  { name: "DateGreaterThan: same instant is not greater", docs: DOCS.operators, condition: { DateGreaterThan: { "aws:CurrentTime": "1704067200" } }, context: { "aws:CurrentTime": T0 }, matches: false },
  // IP addresses (Conditions_IPAddress)
  { name: "IpAddress: inside the CIDR", docs: DOCS.operators, condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, context: { "aws:SourceIp": "203.0.113.7" }, matches: true },
  { name: "NotIpAddress: inside the CIDR", docs: DOCS.operators, condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, context: { "aws:SourceIp": "203.0.113.7" }, matches: false },
  // ...IfExists (Conditions_IfExists)
  { name: "StringEqualsIfExists: absent key is true", docs: DOCS.operators, condition: { StringEqualsIfExists: { "kms:EncryptionContext:App": "vault" } }, context: {}, matches: true, missing: ["kms:EncryptionContext:App"] },
  { name: "StringEqualsIfExists: present key must match", docs: DOCS.operators, condition: { StringEqualsIfExists: { "kms:EncryptionContext:App": "vault" } }, context: { "kms:EncryptionContext:App": "web" }, matches: false },
  { name: "ArnLikeIfExists: present and matching", docs: DOCS.operators, condition: { ArnLikeIfExists: { "aws:PrincipalArn": "arn:aws:iam::*:role/vault-*" } }, context: { "aws:PrincipalArn": ROLE }, matches: true },
  // Set qualifiers on kms:EncryptionContextKeys (multi-valued keys)
  { name: "ForAllValues:StringEquals: every request key is allowed", docs: DOCS.kmsContextKeys, condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App", "Env"] } }, context: { "kms:EncryptionContextKeys": ["App"] }, matches: true },
  { name: "ForAllValues:StringEquals: an extra request key fails", docs: DOCS.kmsContextKeys, condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App"] } }, context: { "kms:EncryptionContextKeys": ["App", "Env"] }, matches: false },
  { name: "ForAllValues:StringEquals: absent key is true", docs: DOCS.multiValued, condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App"] } }, context: {}, matches: true, missing: ["kms:EncryptionContextKeys"] },
  { name: "ForAllValues:StringEquals: empty list is true", docs: DOCS.multiValued, condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["App"] } }, context: { "kms:EncryptionContextKeys": [] }, matches: true, missing: [] },
  { name: "ForAnyValue:StringEquals: one request key is listed", docs: DOCS.kmsContextKeys, condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "App" } }, context: { "kms:EncryptionContextKeys": ["Env", "App"] }, matches: true },
  { name: "ForAnyValue:StringEquals: no request key is listed", docs: DOCS.kmsContextKeys, condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "App" } }, context: { "kms:EncryptionContextKeys": ["Env"] }, matches: false },
  { name: "ForAnyValue:StringEquals: absent key is false", docs: DOCS.multiValued, condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "App" } }, context: {}, matches: false, missing: ["kms:EncryptionContextKeys"] },
  { name: "ForAllValues:StringNotLike: every key avoids the pattern", docs: DOCS.multiValued, condition: { "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } }, context: { "aws:TagKeys": ["key2:audit"] }, matches: true },
  { name: "ForAllValues:StringNotLike: one key matches the pattern", docs: DOCS.multiValued, condition: { "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } }, context: { "aws:TagKeys": ["key1:legal"] }, matches: false },
  { name: "ForAnyValue:StringLikeIfExists: IfExists does not rescue an absent key", docs: DOCS.multiValued, condition: { "ForAnyValue:StringLikeIfExists": { "aws:TagKeys": "key1*" } }, context: {}, matches: false },
  // Combination rules
  { name: "two keys under one operator are AND", docs: DOCS.multipleKeys, condition: { StringEquals: { "kms:EncryptionContext:App": "vault", "kms:EncryptionContext:Env": "prod" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: false, missing: ["kms:EncryptionContext:Env"] },
  { name: "two operators are AND", docs: DOCS.multipleKeys, condition: { StringEquals: { "kms:EncryptionContext:App": "vault" }, Bool: { "aws:SecureTransport": "true" } }, context: { "kms:EncryptionContext:App": "vault", "aws:SecureTransport": "true" }, matches: true },
  { name: "an unknown operator never holds", docs: DOCS.operators, condition: { StringSortOf: { "kms:EncryptionContext:App": "vault" } }, context: { "kms:EncryptionContext:App": "vault" }, matches: false },
];

describe("statementMatches: condition operators", () => {
  it.each(conditionCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(c.docs).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    const stmt: PolicyStatement = { Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: c.condition };
    const result = statementMatches(stmt, request({ context: c.context }), { checkPrincipal: false });
    expect(result.matches).toBe(c.matches);
    if (c.missing) expect(result.missingKeys).toEqual(c.missing);
  });

  it("reports no missing keys when the action does not apply", () => {
    const stmt: PolicyStatement = { Effect: "Allow", Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } };
    expect(statementMatches(stmt, request(), { checkPrincipal: false })).toEqual({ matches: false, missingKeys: [] });
  });

  it("needs a Principal when the principal is checked (resource-based policy)", () => {
    const stmt: PolicyStatement = { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" };
    expect(statementMatches(stmt, request(), { checkPrincipal: true }).matches).toBe(false);
    expect(statementMatches({ ...stmt, Principal: { AWS: ROLE } }, request(), { checkPrincipal: true }).matches).toBe(true);
  });
});

describe("property: arbitrary policies", () => {
  const text = fc.constantFrom("kms:Decrypt", "kms:*", "kms:Enc*", "*", "KMS:DESCRIBEKEY", "s3:Get?bject", "", "[", "a(b", "\\");
  const resource = fc.constantFrom(KEY, OTHER_KEY, "*", `arn:aws:kms:*:${ACCOUNT}:key/*`, "arn:aws:kms", "");
  const principal = fc.oneof(
    fc.constant("*" as const),
    fc.record({ AWS: fc.oneof(fc.constantFrom(ROLE, SESSION, ROOT, ACCOUNT, "*", OTHER_ROLE), fc.array(fc.constantFrom(ROLE, ROOT, "x"))) }, { requiredKeys: [] }),
    fc.record({ Service: fc.constant("ec2.amazonaws.com") }),
  );
  const operator = fc.constantFrom(
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLikeIfExists", "StringEqualsIgnoreCase", "ArnLike", "ArnNotEquals",
    "Bool", "Null", "NumericLessThan", "NumericGreaterThanEquals", "DateLessThan", "DateGreaterThan", "IpAddress", "NotIpAddress",
    "ForAllValues:StringEquals", "ForAnyValue:StringLike", "ForAnyValue:ArnLikeIfExists", "Bogus", "ForAllValues:",
  );
  const key = fc.constantFrom("kms:EncryptionContext:App", "kms:EncryptionContextKeys", "aws:PrincipalArn", "aws:SourceIp", "aws:CurrentTime");
  const value = fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.array(fc.string(), { maxLength: 3 }));
  const condition = fc.dictionary(operator, fc.dictionary(key, value, { maxKeys: 3 }), { maxKeys: 3 });
  const statement = fc.record(
    {
      Sid: fc.string({ maxLength: 5 }),
      Effect: fc.constantFrom("Allow" as const, "Deny" as const),
      Principal: principal,
      NotPrincipal: principal,
      Action: fc.oneof(text, fc.array(text, { maxLength: 3 })),
      NotAction: fc.oneof(text, fc.array(text, { maxLength: 3 })),
      Resource: fc.oneof(resource, fc.array(resource, { maxLength: 3 })),
      NotResource: resource,
      Condition: condition,
    },
    { requiredKeys: ["Effect"] },
  );
  const policy = (id: string) => fc.array(statement, { maxLength: 4 }).map((Statement): NamedPolicy => ({ id, document: { Statement } }));
  const context = fc.dictionary(key, fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), { maxKeys: 4 });
  const req = fc.record({
    principalArn: fc.constantFrom(ROLE, "not-an-arn", ""),
    sessionArn: fc.constantFrom(SESSION, undefined),
    action: fc.constantFrom("kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "s3:GetObject"),
    resource: fc.constantFrom(KEY, FOREIGN_KEY, "*"),
    context,
  });

  it("never throws and always returns a consistent decision", () => {
    fc.assert(
      fc.property(fc.array(policy("id"), { maxLength: 2 }), fc.option(policy("key-policy")), req, fc.boolean(), (identities, key, r, generic) => {
        const result = generic
          ? evaluateGeneric({ identityPolicies: identities, resourcePolicy: key ?? undefined, request: r, resourceAccountId: ACCOUNT })
          : evaluateKmsRequest({ identityPolicies: identities, keyPolicy: key ?? undefined, request: r });
        expect(["allowed", "explicitDeny", "implicitDeny"]).toContain(result.decision);
        expect(result.denialReason === "").toBe(result.decision === "allowed");
        if (result.decision === "implicitDeny") expect(result.matchedStatements).toEqual([]);
        else {
          expect(result.matchedStatements.length).toBeGreaterThan(0);
          const effect = result.decision === "allowed" ? "Allow" : "Deny";
          expect(result.matchedStatements.every((s) => s.effect === effect)).toBe(true);
        }
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });

  it("survives documents that are not policies at all", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (statements, cond) => {
        const junk = { id: "junk", document: { Statement: statements } } as unknown as NamedPolicy;
        const withCond = { id: "cond", document: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*", Principal: "*", Condition: cond }] } } as unknown as NamedPolicy;
        const result = evaluateKmsRequest({ identityPolicies: [junk, withCond], keyPolicy: withCond, request: request() });
        expect(["allowed", "explicitDeny", "implicitDeny"]).toContain(result.decision);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
