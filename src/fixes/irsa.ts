// Fixes for an IRSA web identity that STS refuses or that has expired, filled with what the pod's token says:
// its sub (system:serviceaccount:<namespace>:<service account>), aud and issuer, and the role it asks for.
import type { Fix } from "../model.js";
import type { JwtClaims } from "../aws/jwt.js";
import { correctedTrustPolicy } from "../aws/trust-policy.js";
import { heredoc, sh, shq } from "../shell.js";

export function serviceAccountOf(claims: JwtClaims | undefined): { namespace: string; serviceAccount: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims?.sub ?? "");
  return m ? { namespace: m[1]!, serviceAccount: m[2]! } : undefined;
}

const roleNameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf("/") + 1);

/** STS refused the token: the role's trust policy must name this token's provider, sub and aud. */
export function irsaTrustFix(roleArn: string, claims: JwtClaims): Fix {
  const role = roleNameOf(roleArn);
  const trust = correctedTrustPolicy({ Version: "2012-10-17", Statement: [] }, claims, roleArn);
  return {
    summary: `Make the trust policy of role ${role} accept this pod's token: provider of issuer ${claims.iss ?? "?"}, sub ${claims.sub ?? "?"}, aud sts.amazonaws.com. Save the current policy first: the command below replaces it (copy any other statement into trust.json).`,
    commands: [
      sh`aws iam get-role --role-name ${role} --query Role.AssumeRolePolicyDocument > trust-current.json`,
      heredoc("trust.json", JSON.stringify(trust, null, 2)),
      sh`aws iam update-assume-role-policy --role-name ${role} --policy-document file://trust.json`,
    ],
    docs: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
  };
}

/** The projected token file is stale: kubelet is not refreshing it (not the projected volume, or a copied token). */
export function irsaExpiredFix(file: string, claims: JwtClaims | undefined): Fix {
  const sa = serviceAccountOf(claims);
  const ns = sa ? shq(sa.namespace) : "\"$NAMESPACE\"";
  return {
    summary: "Let kubelet refresh the token: mount the projected ServiceAccount token the EKS webhook adds (do not copy it into an image, a Secret or a file of your own) and restart the pod. IRSA uses no session_token / AWS_SESSION_TOKEN: leave those unset.",
    commands: [
      ...(sa ? [] : ["NAMESPACE=$(kubectl get pods -A -l app.kubernetes.io/name=vault -o jsonpath='{.items[0].metadata.namespace}')   # Vault's namespace: not known to this run"]),
      `kubectl -n ${ns} get pod -l app.kubernetes.io/name=vault -o jsonpath='{range .items[*].spec.volumes[*]}{.name}{" "}{.projected.sources[*].serviceAccountToken.path}{"\\n"}{end}'   # ` + sh`the volume that holds ${file}` + " must be projected",
      `kubectl -n ${ns} rollout restart statefulset/vault`,
    ],
    docs: "https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html",
  };
}
