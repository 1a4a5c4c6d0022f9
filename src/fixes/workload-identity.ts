// The fix for a Vault pod that calls AWS with its node's instance role: the missing piece is the IRSA annotation
// on Vault's ServiceAccount (or a Pod Identity association), never a grant to the node role, which every pod on
// the node shares. Known values are filled in; the unknown ones are shell variables set by the command that finds them.
import type { Fix } from "../model.js";
import { sh, shq } from "../shell.js";

export interface WorkloadIdentityFacts {
  account: string;
  nodeRoleName: string;
  /** Namespace of the Vault pod when the run knows it (VAULT_K8S_NAMESPACE, set by the Vault Helm chart). */
  namespace?: string;
  /** Vault's ServiceAccount when known. */
  serviceAccount?: string;
  /** The IAM role meant for Vault, when known (IRSA role_arn / AWS_ROLE_ARN). */
  vaultRoleArn?: string;
}

export function workloadIdentityFix(f: WorkloadIdentityFacts): Fix {
  const commands: string[] = [];
  commands.push(f.namespace
    ? sh`NAMESPACE=${f.namespace}`
    : "NAMESPACE=$(kubectl get pods -A -l app.kubernetes.io/name=vault -o jsonpath='{.items[0].metadata.namespace}')   # Vault's namespace: not known to this run");
  commands.push(f.serviceAccount
    ? sh`SERVICE_ACCOUNT=${f.serviceAccount}`
    : "SERVICE_ACCOUNT=$(kubectl get pods -n \"$NAMESPACE\" -l app.kubernetes.io/name=vault -o jsonpath='{.items[0].spec.serviceAccountName}')   # Vault's ServiceAccount: not known to this run");
  if (f.vaultRoleArn) commands.push(sh`ROLE_ARN=${f.vaultRoleArn}`);
  else {
    commands.push(
      `# The IAM role meant for Vault is not known to this run (it is not the node role ${shq(f.nodeRoleName)}); roles that trust a ServiceAccount:`,
      "aws iam list-roles --query \"Roles[?contains(to_string(AssumeRolePolicyDocument), 'system:serviceaccount')].Arn\" --output text",
      sh`ROLE_ARN=arn:aws:iam::${f.account}:role/` + "\"$VAULT_ROLE_NAME\"   # set VAULT_ROLE_NAME to the role chosen above",
    );
  }
  commands.push(
    "kubectl -n \"$NAMESPACE\" annotate serviceaccount \"$SERVICE_ACCOUNT\" --overwrite eks.amazonaws.com/role-arn=\"$ROLE_ARN\"",
    "kubectl -n \"$NAMESPACE\" rollout restart statefulset/vault",
  );
  return {
    summary: `Give the Vault pod its own role through IRSA: annotate its ServiceAccount with the Vault role and restart the pod. Do not grant the key to the node role ${f.nodeRoleName}: every pod on the node shares it. The role's trust policy must name system:serviceaccount:<namespace>:<service account>.`,
    commands,
    docs: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
  };
}

/**
 * Keys AWS does not accept. An ASIA… key is a role session's temporary key: it belongs to no IAM user, so the fix is
 * new session credentials (or none pinned), never `aws iam list-access-keys`. An AKIA… key is a user's: the user is
 * found from the key id, then its keys listed.
 */
export function rejectedKeyFix(accessKeyId: string, sourceLabel: string, cause: string): Fix | undefined {
  if (cause !== "invalid_credentials" && cause !== "expired_credentials") return undefined;
  if (accessKeyId.startsWith("ASIA")) {
    return {
      summary: `Vault uses a temporary (ASIA…) key from ${sourceLabel}: it belongs to a role session, not to an IAM user. Get fresh session credentials from what issued them, or stop pinning them so Vault uses its role (instance profile, IRSA, Pod Identity).`,
      commands: [
        "aws sts get-caller-identity   # with Vault's variables: fails the same way until they are replaced",
        "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN   # in Vault's environment, to fall back to its role; or set all three from a new session",
      ],
      docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html",
    };
  }
  if (accessKeyId.startsWith("AKIA")) {
    return {
      summary: `The access key from ${sourceLabel} is not accepted (deleted, deactivated, or the secret does not match). Find its user, then create a new key pair and give it to Vault.`,
      commands: [
        "USER_NAME=$(aws iam get-access-key-last-used --access-key-id \"$AWS_ACCESS_KEY_ID\" --query UserName --output text)   # as an administrator; AWS_ACCESS_KEY_ID = the key Vault uses",
        "aws iam list-access-keys --user-name \"$USER_NAME\"",
        "aws iam create-access-key --user-name \"$USER_NAME\"",
      ],
      docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    };
  }
  return undefined;
}
