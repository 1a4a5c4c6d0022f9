// Pulls the names an operator needs for a fix out of error text: AWS ARNs, region, account, role,
// action; GCP project/location/key ring/crypto key/permission/service account; Azure vault and key;
// Vault transit address/mount/key; hosts. Redacted values (<account-id>, xxxx, ****) stay as they are
// inside ARNs but are never promoted to region/account, so fixes fall back to placeholders.
// All patterns begin with a literal or use bounded classes: linear time on any input.
import type { Entities } from "./rule.js";

const AWS_REGION = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]{4,10}-\d{1,2})$/;
const ACCOUNT_ID = /^\d{12}$/;
const ARN_TAIL = "[^\\s\"',;)\\]}]{1,300}";

const KMS_ARN = new RegExp(`arn:aws[a-z-]{0,12}:kms:([^\\s:"']{0,40}):([^\\s:"']{0,40}):(key|alias)/(${ARN_TAIL})`, "g");
const PRINCIPAL_ARN = /arn:aws[a-z-]{0,12}:(?:sts|iam)::([^\s:"']{0,40}):(assumed-role|role|user)\/([^\s"',;)]{1,300})/;
const ROLE_ARN = /arn:aws[a-z-]{0,12}:iam::([^\s:"']{0,40}):role\/([^\s"',;)]{1,300})/;
const ACTION = /perform:?\s{0,3}([a-z0-9-]{2,20}:[A-Za-z*]{2,60})/;
const ALIAS_NAME = /\b(alias\/[A-Za-z0-9/_-]{1,256})/;
const REGION_HINTS: RegExp[] = [
  /--region[= ]([a-z0-9-]{6,30})/,
  /\bkms\.([a-z0-9-]{6,30})\.amazonaws\.com/,
  /\bsts\.([a-z0-9-]{6,30})\.amazonaws\.com/,
  /\boidc\.eks\.([a-z0-9-]{6,30})\.amazonaws\.com/,
  /\bregion[=:]\s{0,3}"?([a-z0-9-]{6,30})/i,
];
const OIDC_ISSUER = /(?:https:\/\/)?oidc\.eks\.[a-z0-9-]{6,30}\.amazonaws\.com\/id\/[A-Za-z0-9*x<>_-]{1,64}/;
const EKS_CLUSTER = /--cluster[= ]([A-Za-z0-9_-]{1,100})/;
const GCP_RESOURCE =
  /projects\/([^/\s'",]{1,100}),?\/locations\/([^/\s'",]{1,64}),?\/keyRings\/([^/\s'",]{1,100}),?(?:\/cryptoKeys\/([^/\s'",.]{1,100})(?:\/cryptoKeyVersions\/(\d{1,10}))?)?/;
const GCP_PERMISSION = /\b(cloudkms\.(?!googleapis)[A-Za-z]{1,40}\.[A-Za-z]{1,40})\b/;
const GCP_PROJECT_NUMBER = /(?:in project|consumer:projects\/|project=)\s{0,2}(\d{4,20})/;
const GCP_SERVICE_ACCOUNT = /[A-Za-z0-9._-]{1,100}@[A-Za-z0-9-]{1,100}\.iam\.gserviceaccount\.com/;
const AZURE_VAULT_URL = /https?:\/\/([A-Za-z0-9*<>_-]{1,64})\.(?:vault\.azure\.(?:net|cn|us)|vault\.usgovcloudapi\.net|privatelink\.vaultcore\.azure\.net)(?:\/keys\/([A-Za-z0-9*<>_-]{1,127}))?/;
const AZURE_VAULT_NAMED = /key vault '([^';\s]{1,64})/;
const AZURE_KEY_NAMED = /A key with \(name\/id\) "?([^"\s]{1,127}?)"? was not found/;
const AZURE_OBJECT_ID = /\boid=([0-9a-fA-F-]{36})/;
const AZURE_APP_ID = /\bappid=([0-9a-fA-F-]{36})/;
const AZURE_KEY_PERMISSION = /does not have keys (\w{1,20}) permission/;
const VAULT_API_URL = /URL: (?:PUT|POST|GET) (https?:\/\/[^\s/]{1,255})\/v1\/([^\s"]{1,500})/;
const QUOTED_VAULT_URL = /(?:Put|Post|Get) "(https?:\/\/[^\s/"]{1,255})\/v1\/([^\s"]{1,500})"/;
const TRANSIT_PATH = /^(.{1,200})\/(encrypt|decrypt)\/([^/\s"?]{1,200})$/;
const DIAL_HOST = /dial tcp ?\[?([A-Za-z0-9.:-]{1,255}?)\]?:(\d{1,5})\b/;
const LOOKUP_HOST = /lookup ([A-Za-z0-9.-]{1,255})(?: on [^\s:]{1,64}:\d{1,5})?: no such host/;
const K8S_SERVICE_ACCOUNT = /ServiceAccount "?([a-z0-9.-]{1,253})"?/;
const K8S_NAMESPACE = /(?:namespace "|-n )([a-z0-9-]{1,63})/;

function put(out: Entities, key: string, value: string | undefined): void {
  if (value && !(key in out)) out[key] = value.replace(/[.:]$/, "");
}

function awsEntities(text: string, out: Entities): void {
  for (const m of text.matchAll(KMS_ARN)) {
    const [arn, region, account, kind] = m;
    put(out, kind === "key" ? "keyArn" : "aliasArn", arn);
    if (AWS_REGION.test(region)) put(out, "region", region);
    if (ACCOUNT_ID.test(account)) put(out, "account", account);
  }
  const principal = PRINCIPAL_ARN.exec(text);
  if (principal) {
    const [arn, account, kind, rest] = principal;
    put(out, "principalArn", arn);
    if (ACCOUNT_ID.test(account)) put(out, "account", account);
    const parts = rest.replace(/[.:]$/, "").split("/");
    if (kind === "assumed-role") {
      put(out, "roleName", parts[0]);
      if (parts[1]?.startsWith("i-")) put(out, "instanceId", parts[1]);
      else put(out, "sessionName", parts[1]);
    } else if (kind === "role") {
      put(out, "roleName", parts[parts.length - 1]);
    } else {
      put(out, "userName", parts[parts.length - 1]);
    }
  }
  const role = ROLE_ARN.exec(text);
  if (role) put(out, "roleArn", role[0]);
  put(out, "action", ACTION.exec(text)?.[1]);
  if (!out.aliasArn) put(out, "aliasName", ALIAS_NAME.exec(text)?.[1]);
  for (const hint of REGION_HINTS) {
    const r = hint.exec(text)?.[1];
    if (r && AWS_REGION.test(r)) put(out, "region", r);
  }
  put(out, "oidcIssuer", OIDC_ISSUER.exec(text)?.[0]?.replace(/^https:\/\//, ""));
  put(out, "cluster", EKS_CLUSTER.exec(text)?.[1]);
}

function gcpEntities(text: string, out: Entities): void {
  const res = GCP_RESOURCE.exec(text);
  if (res) {
    const [, project, location, keyRing, cryptoKey, version] = res;
    put(out, "project", project);
    put(out, "location", location);
    put(out, "keyRing", keyRing);
    put(out, "cryptoKey", cryptoKey);
    put(out, "keyVersion", version);
    if (cryptoKey) put(out, "cryptoKeyName", `projects/${project}/locations/${location}/keyRings/${keyRing}/cryptoKeys/${cryptoKey}`);
  }
  put(out, "permission", GCP_PERMISSION.exec(text)?.[1]);
  put(out, "project", GCP_PROJECT_NUMBER.exec(text)?.[1]);
  put(out, "serviceAccount", GCP_SERVICE_ACCOUNT.exec(text)?.[0]);
}

function azureEntities(text: string, out: Entities): void {
  const url = AZURE_VAULT_URL.exec(text);
  if (url) {
    put(out, "vaultName", url[1]);
    put(out, "keyName", url[2]);
  }
  put(out, "vaultName", AZURE_VAULT_NAMED.exec(text)?.[1]);
  put(out, "keyName", AZURE_KEY_NAMED.exec(text)?.[1]);
  put(out, "objectId", AZURE_OBJECT_ID.exec(text)?.[1]);
  put(out, "appId", AZURE_APP_ID.exec(text)?.[1]);
  put(out, "keyPermission", AZURE_KEY_PERMISSION.exec(text)?.[1]);
}

function vaultEntities(text: string, out: Entities): void {
  const api = VAULT_API_URL.exec(text) ?? QUOTED_VAULT_URL.exec(text);
  if (api) {
    put(out, "vaultAddr", api[1]);
    put(out, "apiPath", api[2]);
    const transit = TRANSIT_PATH.exec(api[2]);
    if (transit) {
      put(out, "mountPath", transit[1]);
      put(out, "transitKey", transit[3]);
    }
  }
}

function networkEntities(text: string, out: Entities): void {
  const dial = DIAL_HOST.exec(text);
  if (dial) put(out, "host", `${dial[1]}:${dial[2]}`);
  put(out, "host", LOOKUP_HOST.exec(text)?.[1]);
  put(out, "serviceAccountName", K8S_SERVICE_ACCOUNT.exec(text)?.[1]);
  put(out, "namespace", K8S_NAMESPACE.exec(text)?.[1]);
}

/** Every entity found in the text; the first occurrence of each wins. */
export function extractEntities(text: string): Entities {
  const out: Entities = {};
  if (text.includes("arn:aws") || text.includes("amazonaws") || text.includes("alias/") || text.includes("--region") || text.includes("region")) {
    awsEntities(text, out);
  }
  if (text.includes("projects/") || text.includes("cloudkms") || text.includes("gserviceaccount")) gcpEntities(text, out);
  if (text.includes("vault") || text.includes("oid=")) azureEntities(text, out);
  if (text.includes("/v1/")) vaultEntities(text, out);
  networkEntities(text, out);
  return out;
}
