// awskms seal: AWS KMS and STS errors as Vault (aws-sdk-go v1/v2), the JS SDK v3 and the Java SDK
// print them. Vault needs exactly kms:DescribeKey, kms:Encrypt, kms:Decrypt on the key and sends no
// encryption context (go-kms-wrapping wrappers/awskms/awskms.go; docs/vault-seal-facts.md#awskms-requests).
import type { Fix } from "../../model.js";
import { shq } from "../../shell.js";
import { defineRules, valueOr, type Entities } from "../rule.js";
import { leastPrivilegeIdentityPolicy } from "../../policy/policy-documents.js";

const KMS_ERRORS_DOC = "https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html";
const K8S_CONTEXT = /kubectl|\bpod\b|eks\.amazonaws\.com|serviceaccount|IRSA|web.?identity|Defaulted container|AWS_ROLE_ARN|AWS_WEB_IDENTITY_TOKEN_FILE/i;
const VAULT_STORED_KEYS = /stored (?:unseal )?keys|unseal|seal wrapped value|barrier/i;

function keyRef(e: Entities): string {
  const v = e.keyArn ?? e.aliasArn ?? e.aliasName;
  return v ? shq(v) : "<KEY_ARN>";
}

function regionFlag(e: Entities): string {
  return `--region ${valueOr(e, "region", "<REGION>")}`;
}

/** Least-privilege identity policy for the awskms seal: DescribeKey, Encrypt, Decrypt on the one key. */
export function sealKeyPolicy(keyArn: string): string {
  return JSON.stringify(leastPrivilegeIdentityPolicy(keyArn));
}

function grantSealPolicy(e: Entities): Fix {
  const resource = e.keyArn ? shq(e.keyArn) : "<KEY_ARN>";
  const policy = sealKeyPolicy(resource);
  const grant = e.userName
    ? `aws iam put-user-policy --user-name ${shq(e.userName)} --policy-name vault-kms-unseal --policy-document '${policy}'`
    : `aws iam put-role-policy --role-name ${valueOr(e, "roleName", "<ROLE_NAME>")} --policy-name vault-kms-unseal --policy-document '${policy}'`;
  return {
    summary: `Allow ${e.principalArn ?? "Vault's AWS identity"} to use the seal key (kms:DescribeKey, kms:Encrypt, kms:Decrypt), and check that the key policy delegates to IAM and has no condition (e.g. kms:EncryptionContext) that Vault cannot meet.`,
    commands: [
      grant,
      `aws kms get-key-policy --key-id ${resource} --policy-name default ${regionFlag(e)}`,
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms#authentication",
  };
}

function irsaFix(e: Entities): Fix {
  const cluster = valueOr(e, "cluster", "<CLUSTER>");
  return {
    summary: "Make the Vault pod use its IRSA role instead of the node role: the ServiceAccount needs the eks.amazonaws.com/role-arn annotation, the pod must be restarted after annotating, the cluster needs an IAM OIDC provider, and the role's trust policy must name this ServiceAccount.",
    commands: [
      `kubectl -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")} get sa ${valueOr(e, "serviceAccountName", "<VAULT_SERVICE_ACCOUNT>")} -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'`,
      `kubectl -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")} exec vault-0 -- env | grep -E 'AWS_ROLE_ARN|AWS_WEB_IDENTITY_TOKEN_FILE'`,
      `eksctl utils associate-iam-oidc-provider ${regionFlag(e)} --cluster ${cluster} --approve`,
      `aws iam get-role --role-name ${valueOr(e, "irsaRoleName", "<IRSA_ROLE_NAME>")} --query Role.AssumeRolePolicyDocument`,
    ],
    docs: "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
  };
}

function oidcProviderFix(e: Entities): Fix {
  return {
    summary: "Create the IAM OIDC identity provider for the EKS cluster, then restart the Vault pod.",
    commands: [
      `eksctl utils associate-iam-oidc-provider ${regionFlag(e)} --cluster ${valueOr(e, "cluster", "<CLUSTER>")} --approve`,
      "aws iam list-open-id-connect-providers",
    ],
    docs: "https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html",
  };
}

function credentialChainFix(e: Entities): Fix {
  return {
    summary: "Give Vault an AWS identity: on EKS annotate its ServiceAccount with an IAM role (IRSA) or use EKS Pod Identity; on EC2 attach an instance profile (and allow IMDSv2 hop limit 2 for containers); otherwise set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or shared credentials.",
    commands: [
      `kubectl -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")} annotate serviceaccount ${valueOr(e, "serviceAccountName", "<VAULT_SERVICE_ACCOUNT>")} eks.amazonaws.com/role-arn=${valueOr(e, "roleArn", "<ROLE_ARN>")} --overwrite`,
      "aws sts get-caller-identity",
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms#authentication",
  };
}

function describeKeyFix(e: Entities, summary: string): Fix {
  return {
    summary,
    commands: [
      `aws kms describe-key --key-id ${keyRef(e)} ${regionFlag(e)}`,
      `aws kms list-aliases ${regionFlag(e)} --query "Aliases[?AliasName=='${safeAlias(e.aliasName ?? aliasOf(e.aliasArn))}']"`,
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
  };
}

/** An alias name fit to sit inside the double-quoted JMESPath query, or the placeholder. */
function safeAlias(alias: string | undefined): string {
  return alias && /^alias\/[A-Za-z0-9/_-]{1,256}$/.test(alias) ? alias : "<ALIAS_NAME>";
}

function aliasOf(aliasArn: string | undefined): string | undefined {
  const i = aliasArn?.indexOf(":alias/") ?? -1;
  return aliasArn && i >= 0 ? aliasArn.slice(i + 1) : undefined;
}

const NOT_FOUND_ALIAS = /NotFoundException:?\s{0,3}Alias\s{1,3}\S{1,400}\s{1,3}is not found/;
const KEY_DOES_NOT_EXIST = /Key '?arn:aws[^\s']{0,300}'? does not exist/;
const CIPHERTEXT_REFERS = /ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access/;

export const awsRules = defineRules([
  {
    id: "aws.kms_action_denied",
    cause: "permission_denied",
    providers: ["awskms"],
    title: "The AWS identity may not use the KMS key",
    explanation:
      "AWS KMS refused the call: neither the identity's IAM policies nor the key policy allow this action on the key (or an explicit deny or a condition blocks it). Vault needs kms:DescribeKey at start-up and kms:Encrypt/kms:Decrypt to seal and unseal.",
    errorNames: ["AccessDeniedException"],
    patterns: [
      /not authorized to perform:?\s{0,3}kms:[A-Za-z*]{2,40}/,
      /AccessDeniedException[^\n]{0,600}\bkms:/,
      /\(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException/,
      CIPHERTEXT_REFERS,
    ],
    boosts: [{ when: /no identity-based policy allows|explicit deny|key policy/, by: 5 }],
    score: 85,
    fix: grantSealPolicy,
    distinguishing:
      "The principal in the message is the identity AWS saw. If it is the identity you intended, grant the policy; if it is a node/instance role (assumed-role/<role>/i-...) while the pod should use IRSA, fix web identity instead.",
    sources: ["https://github.com/jenkins-x/jx-docs/pull/1583", "https://github.com/hashicorp/vault/issues/21510"],
  },
  {
    id: "aws.node_role_instead_of_irsa",
    cause: "web_identity_failed",
    providers: ["awskms"],
    title: "Vault is using the EC2 node role, not its IRSA role",
    explanation:
      "The denied principal is an instance role session (assumed-role/<role>/i-...). In Kubernetes this means the pod never got web-identity credentials (missing ServiceAccount annotation, pod not restarted, wrong ServiceAccount, or an old Vault/SDK that ignores AWS_WEB_IDENTITY_TOKEN_FILE) and fell back to the node's instance profile.",
    patterns: [/assumed-role\/[^\s/]{1,128}\/i-[0-9a-f]{8,17}\s{1,3}is not authorized to perform/],
    boosts: [{ when: K8S_CONTEXT, by: 25 }],
    score: 70,
    entities: (text): Entities => {
      const m = /assumed-role\/([^\s/]{1,128})\/i-/.exec(text);
      return m ? { nodeRoleName: m[1] } : {};
    },
    fix: irsaFix,
    distinguishing:
      "A session name starting with i- means EC2 instance credentials. On EKS with IRSA the session would be the pod's (botocore/aws-sdk-go session), not the instance id; on plain EC2 this is expected and the fix is the IAM policy.",
    sources: ["https://github.com/hashicorp/vault/issues/21510", "https://github.com/hashicorp/vault/issues/9576"],
  },
  {
    id: "aws.no_credentials",
    cause: "no_credentials",
    providers: ["awskms"],
    title: "No AWS credentials were found",
    explanation:
      "The AWS SDK walked its whole credential chain (static keys, environment, web identity, shared config, container and instance metadata) and found nothing usable.",
    errorNames: ["NoCredentialProviders", "CredentialsProviderError"],
    patterns: [
      /NoCredentialProviders/,
      /no valid providers in chain/,
      /Could not load credentials from any providers/,
      /failed to refresh cached credentials, no EC2 IMDS role found/,
      /Unable to locate credentials/,
    ],
    score: 85,
    fix: credentialChainFix,
    sources: ["https://github.com/hashicorp/vault/issues/30625", "node_modules/@aws-sdk/credential-provider-node/dist-es/defaultProvider.js"],
  },
  {
    id: "aws.expired_credentials",
    cause: "expired_credentials",
    providers: ["awskms"],
    title: "The AWS session token has expired",
    explanation:
      "The temporary credentials Vault used are past their expiry. Static session tokens (AWS_SESSION_TOKEN, session_token) are never refreshed by Vault; use a role it can refresh instead.",
    errorNames: ["ExpiredTokenException", "ExpiredToken", "RequestExpired"],
    patterns: [/The security token included in the request is expired/, /\bExpiredToken(?:Exception)?\b/],
    score: 85,
    fix: () => ({
      summary: "Stop pinning temporary credentials: remove session_token/AWS_SESSION_TOKEN and let Vault use a refreshable source (IRSA, Pod Identity, instance profile), or renew them before they expire.",
      commands: ["aws sts get-caller-identity", "aws configure list"],
    }),
    sources: ["https://github.com/awslabs/ssosync/issues/187", "https://github.com/pulumi/pulumi-aws/issues/2560"],
  },
  {
    id: "aws.invalid_credentials",
    cause: "invalid_credentials",
    providers: ["awskms"],
    title: "AWS does not recognise the access key or its signature",
    explanation:
      "The access key id is unknown, deleted or belongs to another partition, or the secret key does not match it (the request signature fails).",
    errorNames: ["UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature"],
    patterns: [
      /The security token included in the request is invalid/,
      /UnrecognizedClientException/,
      /InvalidClientTokenId/,
      /SignatureDoesNotMatch/,
      /The request signature we calculated does not match the signature you provided/,
    ],
    score: 80,
    fix: () => ({
      summary: "Check which access key Vault uses (seal stanza access_key/secret_key, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, shared credentials) and replace it with an active key pair.",
      commands: ["aws sts get-caller-identity", "aws iam list-access-keys --user-name <USER_NAME>"],
    }),
    sources: ["https://github.com/aws-azure-login/aws-azure-login/issues/37", "https://github.com/awslabs/amazon-kinesis-scaling-utils/issues/46"],
  },
  {
    id: "aws.clock_skew",
    cause: "clock_skew",
    providers: ["awskms"],
    title: "The host clock is off: AWS rejected the request signature as expired",
    explanation: "SigV4 signatures are valid for 5 minutes. The clock of the machine running Vault differs from AWS time by more than that.",
    errorNames: ["RequestTimeTooSkewed"],
    patterns: [/Signature expired:\s{0,3}\d{8}T\d{6}Z is now earlier than/, /RequestTimeTooSkewed/, /Signature not yet current/],
    score: 95,
    fix: () => ({
      summary: "Synchronise the clock of the Vault host (NTP / chrony), then restart Vault.",
      commands: ["timedatectl status", "chronyc tracking"],
    }),
    sources: ["https://github.com/aws/aws-sdk-js-v3/issues/6400"],
  },
  {
    id: "aws.no_oidc_provider",
    cause: "web_identity_failed",
    providers: ["awskms"],
    title: "The EKS cluster has no IAM OIDC provider",
    explanation:
      "IRSA exchanges the pod's ServiceAccount token with STS; that needs an IAM OIDC identity provider for the cluster's issuer. Without it, AssumeRoleWithWebIdentity fails and eksctl cannot create IAM service accounts.",
    errorNames: ["InvalidIdentityTokenException", "InvalidIdentityToken"],
    patterns: [/No OpenIDConnect provider found in your account for/, /no IAM OIDC provider associated(?: with cluster)?/],
    score: 92,
    fix: oidcProviderFix,
    sources: [
      "https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/2315",
      "https://github.com/eksctl-io/eksctl (pkg/ctl/create/iamserviceaccount.go warning)",
    ],
  },
  {
    id: "aws.web_identity_denied",
    cause: "web_identity_failed",
    providers: ["awskms"],
    title: "STS refused the pod's web identity (IRSA trust policy)",
    explanation:
      "The pod presented its ServiceAccount token but the role's trust policy does not accept it: the sub condition must be system:serviceaccount:<namespace>:<serviceaccount> and aud sts.amazonaws.com, for this cluster's OIDC provider.",
    patterns: [
      /Not authorized to perform sts:AssumeRoleWithWebIdentity/i,
      /WebIdentityErr: failed to retrieve credentials/,
      /operation error STS: AssumeRoleWithWebIdentity/,
    ],
    score: 84,
    fix: (e) => ({
      summary: "Fix the IRSA role's trust policy so that it trusts this cluster's OIDC provider and exactly this ServiceAccount (condition on :sub and :aud).",
      commands: [
        `aws iam get-role --role-name ${valueOr(e, "roleName", "<IRSA_ROLE_NAME>")} --query Role.AssumeRolePolicyDocument`,
        `kubectl -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")} get sa ${valueOr(e, "serviceAccountName", "<VAULT_SERVICE_ACCOUNT>")} -o yaml`,
        `aws iam update-assume-role-policy --role-name ${valueOr(e, "roleName", "<IRSA_ROLE_NAME>")} --policy-document file://trust.json`,
      ],
      docs: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    }),
    sources: ["https://github.com/aws/secrets-store-csi-driver-provider-aws/issues/17", "https://github.com/external-secrets/kubernetes-external-secrets/issues/287"],
  },
  {
    id: "aws.assume_role_denied",
    cause: "assume_role_denied",
    providers: ["awskms"],
    title: "The identity may not assume the configured role",
    explanation:
      "Vault's base identity called sts:AssumeRole for role_arn but either its own policy lacks sts:AssumeRole on that role or the role's trust policy does not name it.",
    patterns: [/not authorized to perform:?\s{0,3}sts:AssumeRole(?!WithWebIdentity)\b/],
    score: 86,
    fix: (e) => ({
      summary: "Allow the calling identity to assume the role: sts:AssumeRole on the role ARN in its policy, and the caller as Principal in the role's trust policy.",
      commands: [
        `aws iam get-role --role-name ${valueOr(e, "targetRoleName", "<ROLE_NAME>")} --query Role.AssumeRolePolicyDocument`,
        "aws sts get-caller-identity",
      ],
    }),
    entities: (text): Entities => {
      const m = /sts:AssumeRole on resource:?\s{0,3}arn:aws[a-z-]{0,12}:iam::[^\s:]{0,40}:role\/([^\s"',]{1,300})/.exec(text);
      return m ? { targetRoleName: m[1].split("/").pop()!.replace(/[.]$/, "") } : {};
    },
    sources: ["https://github.com/hashicorp/vault/issues/11674"],
  },
  {
    id: "aws.instance_metadata_unreachable",
    cause: "metadata_unreachable",
    providers: ["awskms"],
    title: "The EC2 instance metadata service cannot be reached",
    explanation:
      "Vault fell back to instance metadata (169.254.169.254) for credentials or region and it did not answer: not on EC2, a network policy blocks it, or IMDSv2's hop limit of 1 stops replies to containers.",
    errorNames: ["EC2RoleRequestError", "EC2MetadataError"],
    patterns: [
      /EC2RoleRequestError/,
      /no EC2 instance role found/,
      /169\.254\.169\.254/,
      /unable to retrieve region from instance metadata/,
      /EC2 Metadata roleName request returned error/,
    ],
    score: 88,
    fix: (e) => ({
      summary: "Either give Vault credentials and region explicitly (region in the seal stanza, IRSA/env credentials), or let containers reach IMDSv2 by raising the hop limit to 2.",
      commands: [
        `aws ec2 modify-instance-metadata-options --instance-id ${valueOr(e, "instanceId", "<INSTANCE_ID>")} --http-put-response-hop-limit 2 --http-endpoint enabled`,
      ],
      docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms#aws-instance-metadata-timeout",
    }),
    sources: ["https://github.com/aws/amazon-ssm-agent/issues/376", "https://github.com/aws/aws-sdk-go/issues/1861", "https://github.com/aws/aws-sdk-js/issues/3348"],
  },
  {
    id: "aws.alias_not_found",
    cause: "key_not_found",
    providers: ["awskms"],
    title: "The KMS alias does not exist",
    explanation: "KMS has no alias with this name in the account and region Vault called. A typo in kms_key_id, or the alias was deleted.",
    errorNames: ["NotFoundException"],
    patterns: [NOT_FOUND_ALIAS, /Alias arn:aws[^\s]{0,300} is not found/],
    score: 82,
    fix: (e) => describeKeyFix(e, "Check the alias name; create it if it was deleted (aws kms create-alias --alias-name <ALIAS_NAME> --target-key-id <KEY_ID>), or set kms_key_id to the key ARN."),
    distinguishing: "If `aws kms list-aliases` in another region shows the alias, the region is wrong rather than the alias.",
    sources: ["https://github.com/hashicorp/vault/issues/24114"],
  },
  {
    id: "aws.alias_in_other_region",
    cause: "wrong_region",
    providers: ["awskms"],
    title: "The alias may exist in a different region",
    explanation:
      "Aliases and keys are regional. When region is unset or comes from the environment (AWS_REGION/AWS_DEFAULT_REGION override the seal stanza), Vault may look in the wrong region.",
    patterns: [NOT_FOUND_ALIAS, KEY_DOES_NOT_EXIST, CIPHERTEXT_REFERS],
    score: 72,
    fix: (e) => ({
      summary: "Find the region that holds the key and set region in the seal stanza (and make AWS_REGION/AWS_DEFAULT_REGION agree).",
      commands: [
        `for r in $(aws ec2 describe-regions --query 'Regions[].RegionName' --output text); do aws kms describe-key --key-id ${keyRef(e)} --region $r --query KeyMetadata.Arn --output text 2>/dev/null && echo "found in $r"; done`,
      ],
    }),
    distinguishing: "The region inside the ARN in the message is the region that was called; compare it with where the key really lives.",
    sources: ["https://github.com/hashicorp/vault/issues/24114"],
  },
  {
    id: "aws.key_not_found",
    cause: "key_not_found",
    providers: ["awskms"],
    title: "The KMS key does not exist",
    explanation: "KMS has no key with this id or ARN in the account and region that was called (wrong kms_key_id, deleted key, or another account).",
    errorNames: ["NotFoundException", "KMSKeyNotFoundException", "InvalidArnException"],
    patterns: [KEY_DOES_NOT_EXIST, /KMSKeyNotFoundException/, /\bNotFoundException\b/, /Invalid keyId/],
    unless: [NOT_FOUND_ALIAS],
    score: 80,
    fix: (e) => describeKeyFix(e, "Verify the key id/alias Vault is configured with (kms_key_id, VAULT_AWSKMS_SEAL_KEY_ID, AWSKMS_WRAPPER_KEY_ID) and the region."),
    sources: ["https://github.com/hashicorp/vault/issues/24114", KMS_ERRORS_DOC],
  },
  {
    id: "aws.key_disabled",
    cause: "key_disabled",
    providers: ["awskms"],
    title: "The KMS key is disabled",
    explanation: "The key exists but is disabled, so every Encrypt and Decrypt is refused and Vault cannot unseal.",
    errorNames: ["DisabledException"],
    patterns: [/DisabledException/, /arn:aws[^\s]{0,300} is disabled/],
    score: 90,
    fix: (e) => ({
      summary: "Re-enable the key.",
      commands: [`aws kms enable-key --key-id ${keyRef(e)} ${regionFlag(e)}`],
    }),
    sources: ["https://github.com/aws/aws-encryption-sdk-python/issues/142"],
  },
  {
    id: "aws.key_pending_deletion",
    cause: "key_pending_deletion",
    providers: ["awskms"],
    title: "The KMS key is scheduled for deletion",
    explanation: "A key pending deletion cannot be used. Once the waiting period ends, everything sealed with it (Vault's root key) is unrecoverable.",
    patterns: [/is pending deletion/, /PendingDeletion/],
    score: 95,
    fix: (e) => ({
      summary: "Cancel the deletion now and re-enable the key (cancelling leaves it disabled).",
      commands: [
        `aws kms cancel-key-deletion --key-id ${keyRef(e)} ${regionFlag(e)}`,
        `aws kms enable-key --key-id ${keyRef(e)} ${regionFlag(e)}`,
      ],
    }),
    sources: ["https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"],
  },
  {
    id: "aws.key_invalid_state",
    cause: "key_disabled",
    providers: ["awskms"],
    title: "The KMS key is not in a usable state",
    explanation: "KMS refused the request because of the key's state (disabled, pending import, or its custom key store is disconnected).",
    errorNames: ["KMSInvalidStateException"],
    patterns: [/KMSInvalidStateException/],
    unless: [/pending deletion/],
    score: 70,
    fix: (e) => ({
      summary: "Look at the key state and bring it back to Enabled.",
      commands: [`aws kms describe-key --key-id ${keyRef(e)} ${regionFlag(e)} --query KeyMetadata.KeyState`],
    }),
    sources: ["https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"],
  },
  {
    id: "aws.key_wrong_usage",
    cause: "key_wrong_usage_or_spec",
    providers: ["awskms"],
    title: "The KMS key cannot encrypt",
    explanation: "Vault needs a symmetric ENCRYPT_DECRYPT key (SYMMETRIC_DEFAULT); this key is for signing, MAC, or asymmetric encryption.",
    errorNames: ["InvalidKeyUsageException"],
    patterns: [/InvalidKeyUsageException/, /key usage is [A-Z_]{3,20} which is not valid for/],
    score: 92,
    fix: (e) => ({
      summary: "Create a symmetric encryption key and point kms_key_id at it (a seal migration is needed if Vault was already initialised with another key).",
      commands: [`aws kms create-key --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT --description vault-unseal ${regionFlag(e)}`],
    }),
    sources: ["https://github.com/jonathankeebler/jwt-kms/issues/4"],
  },
  {
    id: "aws.incorrect_key",
    cause: "unseal_decrypt_failed",
    providers: ["awskms"],
    title: "The stored blob was sealed with a different KMS key",
    explanation: "KMS says the key used for Decrypt is not the one that encrypted the data.",
    errorNames: ["IncorrectKeyException"],
    patterns: [/IncorrectKeyException/],
    score: 90,
    fix: (e) => describeKeyFix(e, "Point Vault back at the key that sealed the data (or migrate the seal while both keys are usable)."),
    sources: ["https://docs.aws.amazon.com/botocore/latest/reference/services/kms/client/exceptions/IncorrectKeyException.html"],
  },
  {
    id: "aws.invalid_ciphertext_context",
    cause: "encryption_context_mismatch",
    providers: ["awskms"],
    title: "Decrypt failed: encryption context differs from the one used to encrypt",
    explanation:
      "InvalidCiphertextException means the ciphertext or its authenticated data (the encryption context) does not check out. For most clients that is a different encryption context on Decrypt than on Encrypt.",
    errorNames: ["InvalidCiphertextException"],
    patterns: [/InvalidCiphertextException/],
    boosts: [{ when: /EncryptionContext|encryption context/i, by: 10 }],
    score: 75,
    fix: () => ({
      summary: "Use the same encryption context on Decrypt as on Encrypt. Vault's awskms seal sends none, so a context requirement can only come from another client or a policy condition.",
      commands: ["aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=Decrypt --max-results 5"],
    }),
    distinguishing:
      "Vault's awskms seal never sends an encryption context; in a Vault unseal log this exception points at a wrong or corrupt stored blob instead.",
    sources: ["https://github.com/aws/aws-encryption-sdk-javascript/issues/1107", "https://docs.aws.amazon.com/botocore/latest/reference/services/kms/client/exceptions/InvalidCiphertextException.html"],
  },
  {
    id: "aws.invalid_ciphertext_blob",
    cause: "unseal_decrypt_failed",
    providers: ["awskms"],
    title: "Decrypt failed: the stored ciphertext does not belong to this key or is corrupt",
    explanation:
      "KMS could not decrypt Vault's stored seal blob: it was produced by a key in another account/region, by a key whose material was replaced (imported material), or the storage entry is damaged.",
    errorNames: ["InvalidCiphertextException"],
    patterns: [/InvalidCiphertextException/],
    boosts: [{ when: VAULT_STORED_KEYS, by: 15 }],
    score: 70,
    fix: (e) => describeKeyFix(e, "Check that Vault uses the same key, account and region as when it was initialised; restore the storage backend from a backup if the blob is damaged."),
    distinguishing: "A Vault stored-keys/unseal context points here; an application passing an encryption context points at a context mismatch.",
    sources: ["https://github.com/aws/aws-encryption-sdk-javascript/issues/1107"],
  },
  {
    id: "aws.throttled",
    cause: "throttled",
    providers: ["awskms"],
    title: "AWS KMS throttled the requests",
    explanation: "The account exceeded the KMS request quota for this region; the SDK retries, but sustained throttling delays or fails unseal.",
    errorNames: ["ThrottlingException", "TooManyRequestsException", "Throttling"],
    patterns: [/ThrottlingException/, /You have exceeded the rate at which you may call KMS/, /\bRate exceeded\b/],
    score: 88,
    fix: (e) => ({
      summary: "Find what else calls KMS heavily in this account/region, add backoff, or request a quota increase.",
      commands: [`aws service-quotas list-service-quotas --service-code kms ${regionFlag(e)}`],
      docs: "https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html",
    }),
    sources: ["https://github.com/aws/aws-dynamodb-encryption-java/issues/6", "https://github.com/hyperlane-xyz/hyperlane-monorepo/pull/2391"],
  },
  {
    id: "aws.kms_internal",
    cause: "kms_internal_error",
    providers: ["awskms"],
    title: "AWS KMS had an internal or dependency failure",
    explanation: "A server-side failure in KMS or its key store; retrying usually succeeds.",
    errorNames: ["KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException", "InternalFailure", "ServiceUnavailable"],
    patterns: [/KMSInternalException/, /DependencyTimeoutException/, /KeyUnavailableException/],
    score: 80,
    fix: () => ({ summary: "Retry; if it persists check the AWS Health Dashboard for KMS in this region (and the custom key store, if any).", commands: [] }),
    sources: [KMS_ERRORS_DOC, "node_modules/@aws-sdk/client-kms/dist-types/models/errors.d.ts"],
  },
  {
    id: "aws.key_id_missing",
    cause: "seal_config_error",
    providers: ["awskms"],
    title: "The awskms seal has no key id",
    explanation: "Neither kms_key_id in the seal stanza nor VAULT_AWSKMS_SEAL_KEY_ID / AWSKMS_WRAPPER_KEY_ID is set.",
    patterns: [/key id not found in env or config for aws kms wrapper configuration/],
    score: 95,
    fix: () => ({ summary: 'Set kms_key_id = "<KEY_ARN>" in the seal "awskms" stanza (or VAULT_AWSKMS_SEAL_KEY_ID).', commands: [] }),
    sources: ["https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/awskms/awskms.go"],
  },
  {
    id: "aws.missing_region",
    cause: "seal_config_error",
    providers: ["awskms"],
    title: "No AWS region is configured",
    explanation: "The SDK could not determine a region: none in the seal stanza, AWS_REGION/AWS_DEFAULT_REGION or shared config.",
    patterns: [/MissingRegion:? could not find region configuration/, /Region is missing/],
    score: 90,
    fix: () => ({ summary: 'Set region = "<REGION>" in the seal "awskms" stanza or AWS_REGION in Vault\'s environment.', commands: [] }),
    sources: ["https://github.com/aws/aws-sdk-go (aws/request: ErrMissingRegion)"],
  },
  {
    id: "eks.helm_eksctl_serviceaccount_conflict",
    // The ServiceAccount is what carries the IRSA role (eks.amazonaws.com/role-arn); while Helm and
    // eksctl fight over it, the pod's web identity is not what either tool intends.
    cause: "web_identity_failed",
    providers: ["awskms"],
    title: "Helm and eksctl both manage the Vault ServiceAccount",
    explanation:
      "eksctl create iamserviceaccount created the ServiceAccount (with the IRSA role annotation) and owns its fields; the Vault Helm chart also renders it, so the upgrade fails on the field-manager conflict and the IRSA wiring stays in doubt.",
    patterns: [/UPGRADE FAILED:[^\n]{0,400}conflict with "eksctl"/, /conflict with "eksctl"/],
    score: 93,
    fix: (e) => ({
      summary: "Let Helm own the ServiceAccount: delete the eksctl-created one and re-run helm upgrade with the role annotation in the chart values (create the IAM role with eksctl --role-only if you still want eksctl for the role).",
      commands: [
        `kubectl delete serviceaccount ${valueOr(e, "serviceAccountName", "<VAULT_SERVICE_ACCOUNT>")} -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")}`,
        `helm upgrade vault hashicorp/vault -n ${valueOr(e, "namespace", "<VAULT_NAMESPACE>")} --reuse-values --set server.serviceAccount.annotations."eks\\.amazonaws\\.com/role-arn"=${valueOr(e, "roleArn", "<ROLE_ARN>")}`,
      ],
    }),
    sources: ["origin guide troubleshooting table (AWS KMS Troubleshooting): `UPGRADE FAILED: conflict with \"eksctl\"`"],
  },
]);
