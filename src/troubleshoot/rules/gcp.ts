// gcpckms seal: Cloud KMS errors as Vault prints them (gRPC `rpc error: code = X desc = ...`,
// googleapi `Error 403: ...`) and as the Node client raises them (`7 PERMISSION_DENIED: ...`).
// Vault calls GetCryptoKey + TestIamPermissions at start-up, then Encrypt/Decrypt
// (go-kms-wrapping wrappers/gcpckms/gcpckms.go).
import { DESTROYED_EXPLANATION, DESTROYED_SUMMARY } from "../../gcp/version-state.js";
import type { Fix } from "../../model.js";
import { defineRules, valueOr, type Entities } from "../rule.js";

const ENCRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

function keyFlags(e: Entities): string {
  return `--keyring ${valueOr(e, "keyRing", "<KEY_RING>")} --location ${valueOr(e, "location", "<LOCATION>")} --project ${valueOr(e, "project", "<PROJECT>")}`;
}

function member(e: Entities): string {
  return `serviceAccount:${valueOr(e, "serviceAccount", "<SERVICE_ACCOUNT_EMAIL>")}`;
}

function grantKeyRoles(e: Entities): Fix {
  const key = valueOr(e, "cryptoKey", "<CRYPTO_KEY>");
  // cloudkms.cryptoKeys.get (Vault's existence check) is not in the encrypter/decrypter role.
  const needsViewer = !e.permission || e.permission === "cloudkms.cryptoKeys.get";
  return {
    summary: `Grant Vault's service account ${ENCRYPTER_ROLE} on the key${needsViewer ? " and roles/cloudkms.viewer (for cloudkms.cryptoKeys.get, used by Vault's start-up check)" : ""}.`,
    commands: [
      `gcloud kms keys add-iam-policy-binding ${key} ${keyFlags(e)} --member ${member(e)} --role ${ENCRYPTER_ROLE}`,
      ...(needsViewer ? [`gcloud kms keys add-iam-policy-binding ${key} ${keyFlags(e)} --member ${member(e)} --role roles/cloudkms.viewer`] : []),
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/gcpckms#authentication-permissions",
  };
}

function describeKey(e: Entities, summary: string): Fix {
  return {
    summary,
    commands: [
      `gcloud kms keys describe ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")} ${keyFlags(e)}`,
      `gcloud kms keys list --keyring ${valueOr(e, "keyRing", "<KEY_RING>")} --location ${valueOr(e, "location", "<LOCATION>")} --project ${valueOr(e, "project", "<PROJECT>")}`,
    ],
  };
}

const OR_MAY_NOT_EXIST = /\(or it may not exist\)/;
const SERVICE_DISABLED = /SERVICE_DISABLED|API has not been used in project|accessNotConfigured/;
const SCOPES = /insufficient authentication scopes|ACCESS_TOKEN_SCOPE_INSUFFICIENT/;

export const gcpRules = defineRules([
  {
    id: "gcp.api_disabled",
    cause: "api_disabled",
    providers: ["gcpckms"],
    title: "The Cloud KMS API is not enabled in the project",
    explanation: "Cloud KMS answers PERMISSION_DENIED with reason SERVICE_DISABLED until cloudkms.googleapis.com is enabled in the project that is billed for the call.",
    patterns: [SERVICE_DISABLED, /Cloud Key Management Service \(KMS\) API has not been used/],
    score: 96,
    fix: (e) => ({
      summary: "Enable the Cloud KMS API (it can take a few minutes to propagate).",
      commands: [`gcloud services enable cloudkms.googleapis.com --project ${valueOr(e, "project", "<PROJECT>")}`],
    }),
    sources: ["https://github.com/kubernetes/k8s.io/pull/6403"],
  },
  {
    id: "gcp.insufficient_scopes",
    cause: "insufficient_scopes",
    providers: ["gcpckms"],
    title: "The access token lacks the cloud-platform scope",
    explanation: "On GCE/GKE the default service account token carries only the VM's access scopes; without cloud-platform (or cloudkms) every KMS call is refused, whatever IAM says.",
    patterns: [SCOPES],
    score: 95,
    fix: () => ({
      summary: "Give the node pool / VM the cloud-platform scope (or use Workload Identity), then recreate the nodes/pods.",
      commands: [
        "gcloud container node-pools create <POOL> --cluster <CLUSTER> --scopes cloud-platform",
        "gcloud compute instances set-service-account <INSTANCE> --zone <ZONE> --scopes cloud-platform",
      ],
    }),
    sources: ["https://github.com/hashicorp/vault/issues/22578"],
  },
  {
    id: "gcp.permission_denied",
    cause: "permission_denied",
    providers: ["gcpckms"],
    title: "The service account lacks a Cloud KMS permission",
    explanation: "Cloud KMS refused the call for this identity. Vault needs cloudkms.cryptoKeyVersions.useToEncrypt/useToDecrypt, and cloudkms.cryptoKeys.get for its start-up key check.",
    grpcCodes: [7],
    errorNames: ["PERMISSION_DENIED", "PermissionDenied"],
    patterns: [
      /Permission '?cloudkms\.[A-Za-z.]{1,80}'? denied (?:on|for) resource/,
      /permissions check failed - ensure the service account has at least/,
      /code = PermissionDenied/,
      /\bPERMISSION_DENIED\b/,
      /googleapi: Error 403/,
    ],
    unless: [SERVICE_DISABLED, SCOPES],
    score: 84,
    fix: grantKeyRoles,
    distinguishing: "\"(or it may not exist)\": Cloud KMS hides whether a key exists from callers without access. If `gcloud kms keys describe` as an owner finds the key, it is permissions; otherwise the name is wrong.",
    sources: ["https://github.com/hashicorp/vault/issues/17850", "https://github.com/hashicorp/vault/pull/6327", "https://github.com/sethvargo/vault-on-gke/issues/31"],
  },
  {
    id: "gcp.key_may_not_exist",
    cause: "key_not_found",
    providers: ["gcpckms"],
    title: "The crypto key or key ring may not exist",
    explanation: "Cloud KMS reports a missing key as PERMISSION_DENIED '(or it may not exist)' to callers who cannot see it: project, location (the seal's region), key_ring or crypto_key may be wrong.",
    patterns: [OR_MAY_NOT_EXIST],
    score: 74,
    fix: (e) => describeKey(e, "Check project, region (location), key_ring and crypto_key against the real key."),
    distinguishing: "Ask someone with Cloud KMS Viewer on the project to describe the key: if it is found, the problem is permissions.",
    sources: ["https://github.com/hashicorp/vault/issues/17850", "https://github.com/hashicorp/vault/issues/24585"],
  },
  {
    id: "gcp.key_not_found",
    cause: "key_not_found",
    providers: ["gcpckms"],
    title: "The crypto key or key ring does not exist",
    explanation: "Cloud KMS returned NOT_FOUND for the resource name built from project, region, key_ring and crypto_key.",
    grpcCodes: [5],
    errorNames: ["NOT_FOUND", "NotFound"],
    patterns: [/code = NotFound/, /\bNOT_FOUND\b/, /googleapi: Error 404/, /does not match any known resource name pattern/],
    score: 86,
    fix: (e) => describeKey(e, "Use the exact names of an existing key; the seal's region is the KMS location (e.g. global, europe-west1)."),
    sources: ["https://github.com/hashicorp/vault-helm/issues/32"],
  },
  {
    id: "gcp.no_credentials",
    cause: "no_credentials",
    providers: ["gcpckms"],
    title: "No Google credentials were found",
    explanation: "Application Default Credentials found nothing: no credentials file (credentials / GOOGLE_APPLICATION_CREDENTIALS), no gcloud login, no metadata server.",
    patterns: [/could not find default credentials/, /Could not load the default credentials/],
    score: 90,
    fix: () => ({
      summary: "Provide credentials: set credentials = \"/path/sa.json\" in the seal stanza or GOOGLE_APPLICATION_CREDENTIALS, or run on GCE/GKE with Workload Identity.",
      commands: ["gcloud auth application-default print-access-token >/dev/null && echo ADC ok"],
    }),
    sources: ["https://github.com/googleapis/google-cloud-go/issues/1404", "node_modules/google-auth-library/build/src/auth/googleauth.js"],
  },
  {
    id: "gcp.invalid_credentials",
    cause: "invalid_credentials",
    providers: ["gcpckms"],
    title: "Google rejected the credentials",
    explanation: "The token or service-account key is invalid: deleted or disabled key, wrong file, or a Workload Identity binding that does not hold.",
    grpcCodes: [16],
    errorNames: ["UNAUTHENTICATED", "Unauthenticated"],
    patterns: [/Request had invalid authentication credentials/, /code = Unauthenticated/, /\bUNAUTHENTICATED\b/, /invalid_grant/, /Invalid JWT Signature/],
    unless: [/short-lived token|iat and exp/],
    score: 85,
    fix: (e) => ({
      summary: "Check the service account key / Workload Identity binding Vault uses.",
      commands: [`gcloud iam service-accounts keys list --iam-account ${valueOr(e, "serviceAccount", "<SERVICE_ACCOUNT_EMAIL>")}`],
    }),
    sources: ["https://github.com/hashicorp/vault-helm/issues/77"],
  },
  {
    id: "gcp.clock_skew",
    cause: "clock_skew",
    providers: ["gcpckms"],
    title: "The host clock is off: Google rejected the signed JWT",
    explanation: "Service-account JWTs must have iat/exp within a reasonable window of Google's time.",
    patterns: [/Token must be a short-lived token[^\n]{0,120}reasonable timeframe/, /Check your iat and exp values/],
    score: 94,
    fix: () => ({ summary: "Synchronise the host clock (NTP), then restart Vault.", commands: ["timedatectl status"] }),
    sources: ["https://developers.google.com/identity/protocols/oauth2/service-account#error-codes"],
  },
  {
    id: "gcp.metadata_unreachable",
    cause: "metadata_unreachable",
    providers: ["gcpckms"],
    title: "The GCE metadata server cannot be reached",
    explanation: "Without a credentials file, Google clients fetch tokens from metadata.google.internal; it is not reachable from here.",
    patterns: [/metadata\.google\.internal/, /Compute Engine metadata/],
    score: 86,
    fix: () => ({ summary: "Provide a credentials file, or allow egress to the metadata server (GKE: Workload Identity / metadata concealment settings).", commands: ["curl -s -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/"] }),
    sources: ["https://github.com/googleapis/google-auth-library-nodejs (src/auth/googleauth.ts)"],
  },
  {
    id: "gcp.wrong_purpose",
    cause: "key_wrong_usage_or_spec",
    providers: ["gcpckms"],
    title: "The crypto key cannot encrypt: its purpose is not ENCRYPT_DECRYPT",
    explanation: "Encrypt and Decrypt take only symmetric ENCRYPT_DECRYPT keys (service.proto: \"The CryptoKey.purpose must be ENCRYPT_DECRYPT\"); an asymmetric, MAC or raw key is refused with FAILED_PRECONDITION. A key's purpose is fixed at creation: create a new key.",
    grpcCodes: [9],
    patterns: [/has purpose [A-Z_]{1,40}, but this operation requires purpose ENCRYPT_DECRYPT/, /requires purpose ENCRYPT_DECRYPT/],
    score: 86,
    fix: (e) => ({
      summary: "Create a symmetric key (purpose encryption) and point crypto_key at it; a key's purpose cannot be changed.",
      commands: [`gcloud kms keys create ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")}-symmetric --purpose encryption ${keyFlags(e)}`],
      docs: "https://cloud.google.com/kms/docs/algorithms#key_purposes",
    }),
    sources: ["https://github.com/googleapis/googleapis/blob/master/google/cloud/kms/v1/service.proto (EncryptRequest.name)", "npm run conformance: OpenBao v2.6.2, emulator scenario gcp-wrong-purpose"],
  },
  {
    id: "gcp.version_disabled",
    cause: "key_disabled",
    providers: ["gcpckms"],
    title: "The crypto key version is disabled",
    explanation: "The primary version (for Encrypt) or the version that wrapped Vault's key (for Decrypt) is DISABLED; Cloud KMS answers FAILED_PRECONDITION.",
    grpcCodes: [9],
    patterns: [/is not enabled, current state is:?\s{0,3}DISABLED/, /code = FailedPrecondition/, /\bFAILED_PRECONDITION\b/],
    unless: [/DESTROY/],
    score: 82,
    fix: (e) => ({
      summary: "Re-enable the key version.",
      commands: [`gcloud kms keys versions enable ${valueOr(e, "keyVersion", "<VERSION>")} --key ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")} ${keyFlags(e)}`],
    }),
    sources: ["https://cloud.google.com/kms/docs/enable-disable"],
  },
  {
    id: "gcp.version_destroy_scheduled",
    cause: "key_pending_deletion",
    providers: ["gcpckms"],
    title: "The crypto key version is scheduled for destruction",
    explanation: "A version in DESTROY_SCHEDULED can still be restored until its destroy time; restoring leaves it DISABLED, so it must be enabled too.",
    patterns: [/current state is:?\s{0,3}DESTROY_SCHEDULED/, /DESTROY_SCHEDULED/],
    score: 95,
    fix: (e) => ({
      summary: "Restore the version while it is still DESTROY_SCHEDULED, then enable it.",
      commands: [
        `gcloud kms keys versions restore ${valueOr(e, "keyVersion", "<VERSION>")} --key ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")} ${keyFlags(e)}`,
        `gcloud kms keys versions enable ${valueOr(e, "keyVersion", "<VERSION>")} --key ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")} ${keyFlags(e)}`,
      ],
    }),
    sources: ["https://cloud.google.com/kms/docs/destroy-restore"],
  },
  {
    id: "gcp.version_destroyed",
    cause: "key_destroyed",
    providers: ["gcpckms"],
    title: "The crypto key version is destroyed",
    explanation: DESTROYED_EXPLANATION,
    patterns: [/current state is:?\s{0,3}DESTROYED\b/],
    score: 96,
    fix: (e) => ({
      summary: DESTROYED_SUMMARY,
      commands: [`gcloud kms keys versions list --key ${valueOr(e, "cryptoKey", "<CRYPTO_KEY>")} ${keyFlags(e)}   # other ENABLED versions still decrypt what they wrapped`],
      docs: "https://cloud.google.com/kms/docs/destroy-restore",
    }),
    sources: ["https://cloud.google.com/kms/docs/destroy-restore", "https://cloud.google.com/kms/docs/key-states"],
  },
  {
    id: "gcp.decrypt_failed",
    cause: "unseal_decrypt_failed",
    providers: ["gcpckms"],
    title: "Cloud KMS could not decrypt Vault's stored key with this crypto key",
    explanation: "The ciphertext in Vault's storage was not produced by this crypto key (other key, key ring or project), or storage holds data from another Vault.",
    grpcCodes: [3],
    patterns: [/Decryption failed: verify that 'name' refers to the correct CryptoKey/],
    score: 90,
    fix: (e) => describeKey(e, "Point the seal at the crypto key Vault was initialised with (project, region, key_ring, crypto_key)."),
    sources: ["https://github.com/sethvargo/vault-on-gke/issues/32"],
  },
  {
    id: "gcp.throttled",
    cause: "throttled",
    providers: ["gcpckms"],
    title: "Cloud KMS quota exceeded",
    explanation: "The project exceeded a Cloud KMS request quota.",
    grpcCodes: [8],
    patterns: [/code = ResourceExhausted/, /\bRESOURCE_EXHAUSTED\b/, /Quota exceeded for quota metric/],
    score: 86,
    fix: (e) => ({
      summary: "Reduce the call rate or request a quota increase for Cloud KMS.",
      // Quota listing is an alpha command (https://cloud.google.com/sdk/gcloud/reference/alpha/services/quota/list).
      commands: [`gcloud alpha services quota list --service cloudkms.googleapis.com --consumer projects/${valueOr(e, "project", "<PROJECT>")}`],
    }),
    sources: ["https://cloud.google.com/kms/quotas"],
  },
  {
    id: "gcp.internal",
    cause: "kms_internal_error",
    providers: ["gcpckms"],
    title: "Cloud KMS had an internal error",
    explanation: "A server-side failure; retrying usually succeeds.",
    grpcCodes: [13],
    patterns: [/code = Internal desc/, /\b13 INTERNAL\b/],
    score: 78,
    fix: () => ({ summary: "Retry; if it persists check the Google Cloud status dashboard for Cloud KMS.", commands: [] }),
    sources: ["https://cloud.google.com/kms/docs/reference/rpc/google.rpc#code"],
  },
  {
    id: "gcp.missing_config",
    cause: "seal_config_error",
    providers: ["gcpckms"],
    title: "The gcpckms seal stanza is incomplete",
    explanation: "project, region, key_ring and crypto_key are all required (in the stanza or GOOGLE_PROJECT, GOOGLE_REGION, VAULT_GCPCKMS_SEAL_KEY_RING, VAULT_GCPCKMS_SEAL_CRYPTO_KEY).",
    patterns: [/'(?:project|region|key_ring|crypto_key)' not found for GCP CKMS wrapper configuration/],
    score: 96,
    fix: () => ({ summary: "Add the missing key to the seal \"gcpckms\" stanza.", commands: [] }),
    sources: ["https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/gcpckms/gcpckms.go"],
  },
]);
