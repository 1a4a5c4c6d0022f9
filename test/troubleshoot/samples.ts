// Real error texts, each with where it was published. One or more per rule; `entities` lists the
// values the extraction must find. Texts are copied as operators pasted them (their redactions kept).
import { PKCS11_SAMPLES } from "./pkcs11-samples.js";
import { OPENBAO_SAMPLES } from "./openbao-plugin-samples.js";

export interface RuleSample {
  rule: string;
  cause: string;
  text: string;
  source: string;
  entities?: Record<string, string>;
  /** Rules that must also be offered, ranked after the first (messages with several causes). */
  also?: string[];
}

export const RULE_SAMPLES: RuleSample[] = [
  // ---- awskms -------------------------------------------------------------------------------
  {
    rule: "aws.kms_action_denied",
    cause: "permission_denied",
    source: "https://github.com/jenkins-x/jx-docs/pull/1583",
    text: "Error parsing Seal configuration: error fetching AWS KMS sealkey information: AccessDeniedException: User: arn:aws:iam::<account-id>:user/vault_<region-name> is not authorized to perform: kms:DescribeKey on resource: arn:aws:kms:<region-name>:<account-id>:key/<key-id>\n\tstatus code: 400, request id: <id>",
    entities: { userName: "vault_<region-name>", action: "kms:DescribeKey", keyArn: "arn:aws:kms:<region-name>:<account-id>:key/<key-id>" },
  },
  {
    rule: "aws.node_role_instead_of_irsa",
    cause: "web_identity_failed",
    source: "https://github.com/hashicorp/vault/issues/21510",
    text: '$ kubectl -n vault logs vault-2\nDefaulted container "vault" out of: vault, cfssl-init (init)\nError parsing Seal configuration: error fetching AWS KMS wrapping key information: AccessDeniedException: User: arn:aws:sts::123456789:assumed-role/worker/i-0a62ba7ace1d8158f is not authorized to perform: kms:DescribeKey on resource: arn:aws:kms:eu-central-1:123456789:key/dd6269bb-2857-4c75-9e7b-407e1a4278c9 because no identity-based policy allows the kms:DescribeKey action',
    entities: { roleName: "worker", instanceId: "i-0a62ba7ace1d8158f", region: "eu-central-1", action: "kms:DescribeKey" },
  },
  {
    rule: "aws.no_credentials",
    cause: "no_credentials",
    source: "https://github.com/hashicorp/vault/issues/30625",
    text: "error parsing Seal configuration: error fetching AWS KMS wrapping key information: NoCredentialProviders: no valid providers in chain. Deprecated.\n        For verbose messaging see aws.Config.CredentialsChainVerboseErrors",
  },
  {
    rule: "aws.expired_credentials",
    cause: "expired_credentials",
    source: "https://github.com/awslabs/ssosync/issues/187",
    text: 'WARN[0000] Problem performing test query against Identity Store  error="ExpiredTokenException: The security token included in the request is expired\\n\\tstatus code: 400, request id: xxx-xxx-xxx"',
  },
  {
    rule: "aws.invalid_credentials",
    cause: "invalid_credentials",
    source: "https://github.com/awslabs/amazon-kinesis-scaling-utils/issues/46",
    text: "com.amazonaws.services.kinesis.model.AmazonKinesisException: The security token included in the request is invalid (Service: AmazonKinesis; Status Code: 400; Error Code: UnrecognizedClientException; Request ID: ed73b632-759a-4028-bdf4-968a6a1f5501)",
  },
  {
    rule: "aws.clock_skew",
    cause: "clock_skew",
    source: "https://github.com/aws/aws-sdk-js-v3/issues/6400",
    text: "InvalidSignatureException: Signature expired: 20240820T230143Z is now earlier than 20240820T230302Z (20240820T230802Z - 5 min.)",
  },
  {
    rule: "aws.no_oidc_provider",
    cause: "web_identity_failed",
    source: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/2315",
    text: "2021/10/22 03:14:16 Could not initialize EKS CloudWatch client: WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/***********************************************\n\tstatus code: 400, request id: 3714365f-c50b-4cae-b958-917eb6a34b50",
    entities: { region: "us-east-1" },
  },
  {
    rule: "aws.no_oidc_provider",
    cause: "web_identity_failed",
    source: "https://github.com/eksctl-io/eksctl (pkg/ctl/create/iamserviceaccount.go), as pasted in many EKS guides",
    text: "2025-05-28 16:07:54 [!]  no IAM OIDC provider associated with cluster, try 'eksctl utils associate-iam-oidc-provider --region=eu-west-1 --cluster=wb-task-cluster'",
    entities: { region: "eu-west-1", cluster: "wb-task-cluster" },
  },
  {
    rule: "aws.web_identity_denied",
    cause: "web_identity_failed",
    source: "https://github.com/aws/secrets-store-csi-driver-provider-aws/issues/17",
    text: "rpc error: code = Unknown desc = Failed fetching parameters: WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\n           status code: 403, request id: 74069505-0a96-4068-a6ea-4e37e1bf9f9d",
  },
  {
    rule: "aws.assume_role_denied",
    cause: "assume_role_denied",
    source: "https://github.com/hashicorp/vault/issues/11674",
    text: "* Error assuming role: AccessDenied: User: arn:aws:sts::0123456789:assumed-role/vault_node_role/i-0123456789 is not authorized to perform: sts:AssumeRole on resource: arn:iam::0123456789:role/AssumedRole",
    entities: { roleName: "vault_node_role" },
  },
  {
    rule: "aws.instance_metadata_unreachable",
    cause: "metadata_unreachable",
    source: "https://github.com/aws/aws-sdk-go/issues/1861",
    text: "RequestError: send request failed\ncaused by: Get https://169.254.169.254/latest/meta-data/iam/security-credentials/: dial tcp 169.254.169.254:443: i/o timeout",
  },
  {
    rule: "aws.instance_metadata_unreachable",
    cause: "metadata_unreachable",
    source: "https://github.com/aws/amazon-ssm-agent/issues/376",
    text: "INFO Entering SSM Agent hibernate - EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make EC2Metadata request\n\tstatus code: 404, request id:",
  },
  {
    rule: "aws.alias_not_found",
    cause: "key_not_found",
    source: "https://github.com/hashicorp/vault/issues/24114",
    text: "error parsing Seal configuration: error fetching AWS KMS wrapping key information: \nNotFoundException: Alias arn:aws:kms:us-west-2:<account_id>:alias/vault-us is not found.",
    entities: { aliasArn: "arn:aws:kms:us-west-2:<account_id>:alias/vault-us", region: "us-west-2" },
    also: ["aws.alias_in_other_region"],
  },
  {
    rule: "aws.key_not_found",
    cause: "key_not_found",
    source: "origin guide troubleshooting table (AWS KMS Troubleshooting): `KMSKeyNotFoundException`",
    text: "KMSKeyNotFoundException",
  },
  {
    rule: "aws.key_disabled",
    cause: "key_disabled",
    source: "https://github.com/aws/aws-encryption-sdk-python/issues/142",
    text: "botocore.errorfactory.DisabledException: An error occurred (DisabledException) when calling the Encrypt operation: arn:aws:kms:eu-west-2:xxxxxxx",
  },
  {
    rule: "aws.key_pending_deletion",
    cause: "key_pending_deletion",
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html",
    text: "[3] KMSInvalidStateException: <CMK ARN> is pending deletion.",
  },
  {
    rule: "aws.key_invalid_state",
    cause: "key_disabled",
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html",
    text: "KMSInvalidStateException: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is pending import.",
    entities: { region: "us-west-2", account: "111122223333" },
  },
  {
    rule: "aws.key_wrong_usage",
    cause: "key_wrong_usage_or_spec",
    source: "https://github.com/jonathankeebler/jwt-kms/issues/4",
    text: "InvalidKeyUsageException: arn:aws:kms:eu-west-1:774082574083:key/9a956830-5b5d-4203-bc1e-52781bbab0a2 key usage is SIGN_VERIFY which is not valid for Encrypt.",
    entities: { keyArn: "arn:aws:kms:eu-west-1:774082574083:key/9a956830-5b5d-4203-bc1e-52781bbab0a2", region: "eu-west-1", account: "774082574083" },
  },
  {
    rule: "aws.incorrect_key",
    cause: "unseal_decrypt_failed",
    source: "https://docs.aws.amazon.com/botocore/latest/reference/services/kms/client/exceptions/IncorrectKeyException.html",
    text: "An error occurred (IncorrectKeyException) when calling the Decrypt operation: The key ID in the request does not identify a KMS key that can perform this operation.",
  },
  {
    rule: "aws.invalid_ciphertext_context",
    cause: "encryption_context_mismatch",
    source: "https://github.com/aws/aws-encryption-sdk-javascript/issues/1107",
    text: "InvalidCiphertextException: null",
  },
  {
    rule: "aws.invalid_ciphertext_blob",
    cause: "unseal_decrypt_failed",
    source: "https://github.com/hashicorp/vault/blob/main/vault/seal_autoseal.go (message chain) with the AWS error of https://github.com/aws/aws-encryption-sdk-javascript/issues/1107",
    text: '2024-05-01T10:00:00.000Z [WARN]  failed to unseal core: error="fetching stored unseal keys failed: failed to decrypt encrypted stored keys: error decrypting data encryption key: InvalidCiphertextException: \n\tstatus code: 400, request id: 5f1c"',
  },
  {
    rule: "aws.throttled",
    cause: "throttled",
    source: "https://github.com/aws/aws-dynamodb-encryption-java/issues/6",
    text: "com.amazonaws.AmazonServiceException: You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls. (Service: AWSKMS; Status Code: 400; Error Code: ThrottlingException; Request ID: 4d15a2da-441a-11e5-8a71-8d9f87588b5d)",
  },
  {
    rule: "aws.throttled",
    cause: "throttled",
    source: "https://github.com/hyperlane-xyz/hyperlane-monorepo/pull/2391",
    text: 'Request ID: Some("c0cc123e-da52-47f4-a2d3-aeddd034a2f5") Body: {"__type":"ThrottlingException","message":"You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."}',
  },
  {
    rule: "aws.kms_internal",
    cause: "kms_internal_error",
    source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#API_Decrypt_Errors (KMSInternalException)",
    text: "error decrypting data encryption key: KMSInternalException: The request was rejected because an internal exception occurred. The request can be retried.",
  },
  {
    rule: "aws.key_id_missing",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/awskms/awskms.go",
    text: "Error parsing Seal configuration: key id not found in env or config for aws kms wrapper configuration",
  },
  {
    rule: "aws.missing_region",
    cause: "seal_config_error",
    source: "https://github.com/aws/aws-sdk-go/blob/main/aws/request/handlers.go (ErrMissingRegion)",
    text: "error fetching AWS KMS wrapping key information: MissingRegion: could not find region configuration",
  },
  {
    rule: "eks.helm_eksctl_serviceaccount_conflict",
    cause: "web_identity_failed",
    source: "origin guide troubleshooting table (AWS KMS Troubleshooting): `UPGRADE FAILED: conflict with \"eksctl\"`",
    text: 'Error: UPGRADE FAILED: conflict with "eksctl"',
  },
  // ---- gcpckms ------------------------------------------------------------------------------
  {
    rule: "gcp.api_disabled",
    cause: "api_disabled",
    source: "https://github.com/kubernetes/k8s.io/pull/6403",
    text: "rpc error: code = PermissionDenied desc = Cloud Key Management Service (KMS) API has not been used in project 773781448124 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudkms.googleapis.com/overview?project=773781448124 then retry.\n      error details: name = ErrorInfo reason = SERVICE_DISABLED domain = googleapis.com metadata = map[consumer:projects/773781448124 service:cloudkms.googleapis.com]",
    entities: { project: "773781448124" },
  },
  {
    rule: "gcp.insufficient_scopes",
    cause: "insufficient_scopes",
    source: "https://github.com/hashicorp/vault/issues/22578",
    text: "failed to encrypt with GCP CKMS - ensure the key exists and the service account has at least roles/cloudkms.cryptoKeyEncrypterDecrypter permission: rpc error: code = PermissionDenied desc = Request had insufficient authentication scopes.",
  },
  {
    rule: "gcp.permission_denied",
    cause: "permission_denied",
    source: "https://github.com/hashicorp/vault/issues/17850",
    text: "Error parsing Seal configuration: error checking key existence: rpc error: code = PermissionDenied desc = Permission 'cloudkms.cryptoKeys.get' denied on resource 'projects/MY_PROJECT_NAME/locations/europe-west2/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key' (or it may not exist).",
    entities: { project: "MY_PROJECT_NAME", location: "europe-west2", keyRing: "vault-unseal-ring", cryptoKey: "vault-unseal-key", permission: "cloudkms.cryptoKeys.get" },
    also: ["gcp.key_may_not_exist"],
  },
  {
    rule: "gcp.permission_denied",
    cause: "permission_denied",
    source: "https://github.com/hashicorp/vault/pull/6327",
    text: "key information: googleapi: Error 403: Permission 'cloudkms.cryptoKeys.get' denied for resource ...",
    entities: { permission: "cloudkms.cryptoKeys.get" },
  },
  {
    rule: "gcp.key_not_found",
    cause: "key_not_found",
    source: "https://github.com/hashicorp/vault-helm/issues/32",
    text: "Error parsing Seal configuration: failed to encrypt with GCP CKMS - ensure the key exists and the service account has at least roles/cloudkms.cryptoKeyEncrypterDecrypter permission: rpc error: code = InvalidArgument desc = Resource name [projects/XXXX-platform,/locations/europe-west1,/keyRings/mykeyring/cryptoKeys/mykey] does not match any known resource name pattern.",
  },
  {
    rule: "gcp.no_credentials",
    cause: "no_credentials",
    source: "https://github.com/googleapis/google-cloud-go/issues/1404",
    text: "panic: google: could not find default credentials. See https://developers.google.com/accounts/docs/application-default-credentials for more information. [recovered]",
  },
  {
    rule: "gcp.invalid_credentials",
    cause: "invalid_credentials",
    source: "https://github.com/hashicorp/vault-helm/issues/77",
    text: "Error parsing Seal configuration: failed to encrypt with GCP CKMS - ensure the key exists and the service account has at least roles/cloudkms.cryptoKeyEncrypterDecrypter permission: rpc error: code = Unauthenticated desc = Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
  },
  {
    rule: "gcp.clock_skew",
    cause: "clock_skew",
    source: "https://developers.google.com/identity/protocols/oauth2/service-account (invalid_grant: Invalid JWT)",
    text: 'oauth2: cannot fetch token: 400 Bad Request\nResponse: {"error":"invalid_grant","error_description":"Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."}',
  },
  {
    rule: "gcp.metadata_unreachable",
    cause: "metadata_unreachable",
    source: "https://github.com/googleapis/google-cloud-go (compute/metadata), as pasted in GKE issues",
    text: 'Get "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token": dial tcp: lookup metadata.google.internal on 10.96.0.10:53: no such host',
  },
  {
    rule: "gcp.version_disabled",
    cause: "key_disabled",
    source: "https://cloud.google.com/kms/docs/enable-disable",
    text: "rpc error: code = FailedPrecondition desc = projects/p/locations/global/keyRings/vault/cryptoKeys/unseal/cryptoKeyVersions/1 is not enabled, current state is: DISABLED.",
    entities: { keyVersion: "1", cryptoKey: "unseal", keyRing: "vault", location: "global" },
  },
  {
    rule: "gcp.version_destroy_scheduled",
    cause: "key_pending_deletion",
    source: "https://cloud.google.com/kms/docs/destroy-restore",
    text: "rpc error: code = FailedPrecondition desc = projects/p/locations/global/keyRings/vault/cryptoKeys/unseal/cryptoKeyVersions/2 is not enabled, current state is: DESTROY_SCHEDULED.",
    entities: { keyVersion: "2" },
  },
  {
    // gcp-version-destroyed: DESTROYED is not "pending deletion"; nothing restores it.
    rule: "gcp.version_destroyed",
    cause: "key_destroyed",
    source: "https://cloud.google.com/kms/docs/destroy-restore",
    text: "rpc error: code = FailedPrecondition desc = projects/p/locations/global/keyRings/vault/cryptoKeys/unseal/cryptoKeyVersions/2 is not enabled, current state is: DESTROYED.",
    entities: { keyVersion: "2" },
  },
  {
    rule: "gcp.decrypt_failed",
    cause: "unseal_decrypt_failed",
    source: "https://github.com/sethvargo/vault-on-gke/issues/32 and the vault-on-k8s guide quoted there",
    text: '2020-08-21T03:26:41.684Z [WARN]  failed to unseal core: error="fetching stored unseal keys failed: failed to decrypt encrypted stored keys: failed to decrypt envelope: rpc error: code = InvalidArgument desc = Decryption failed: verify that \'name\' refers to the correct CryptoKey."',
  },
  {
    rule: "gcp.throttled",
    cause: "throttled",
    source: "https://cloud.google.com/kms/quotas",
    text: "rpc error: code = ResourceExhausted desc = Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute' of service 'cloudkms.googleapis.com'",
  },
  {
    rule: "gcp.internal",
    cause: "kms_internal_error",
    source: "https://cloud.google.com/apis/design/errors#handling_errors (INTERNAL)",
    text: "rpc error: code = Internal desc = Internal error encountered.",
  },
  {
    rule: "gcp.missing_config",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/gcpckms/gcpckms.go",
    text: "Error parsing Seal configuration: 'key_ring' not found for GCP CKMS wrapper configuration",
  },
  // ---- azurekeyvault ------------------------------------------------------------------------
  {
    rule: "azure.key_permission_denied",
    cause: "permission_denied",
    source: "https://github.com/MicrosoftDocs/azure-docs/issues/57072",
    text: 'Status code 403, "{"error":{"code":"Forbidden","message":"The user, group or application \'appid=;oid=;iss=https://sts.windows.net/tenantid/\' does not have keys get permission on key vault \'kv;location=uksouth\'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=123455","innererror":{"code":"AccessDenied"}}}"',
    entities: { vaultName: "kv", keyPermission: "get" },
  },
  {
    rule: "azure.key_permission_denied",
    cause: "permission_denied",
    source: "https://github.com/Azure/bicep/issues/6539",
    text: '"[ForbiddenByRbac (Forbidden)] Caller is not authorized to perform action on resource.\\r\\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\\r\\nCaller: name=KeyVault/ManagementPlane;appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=2f1b09f9-1887-46f5-b0e4-d7a8e47fe87f"',
    entities: { objectId: "2f1b09f9-1887-46f5-b0e4-d7a8e47fe87f" },
  },
  {
    rule: "azure.key_not_found",
    cause: "key_not_found",
    source: "https://github.com/Azure/azure-sdk-for-js (sdk/keyvault/keyvault-keys test recordings)",
    text: '{"error":{"code":"KeyNotFound","message":"A key with (name/id) backupRestoreKeyName-failstogenerateabackupofanon-existingkey- was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command."}}',
  },
  {
    rule: "azure.vault_name_unresolvable",
    cause: "key_not_found",
    source: "https://github.com/hashicorp/vault-helm/issues/801 (private-link vault host); DNS form as Go prints it",
    text: 'error fetching Azure Key Vault wrapper key information: Get "https://azkeyvault.vault.azure.net/keys/vault-unseal-key/?api-version=7.0": dial tcp: lookup azkeyvault.vault.azure.net on 10.0.0.10:53: no such host',
    entities: { vaultName: "azkeyvault", keyName: "vault-unseal-key" },
  },
  {
    rule: "azure.key_disabled",
    cause: "key_disabled",
    source: "https://learn.microsoft.com/en-us/rest/api/keyvault/keys/unwrap-key/unwrap-key (KeyDisabled error)",
    text: '{"error":{"code":"Forbidden","message":"Operation unwrapKey is not allowed on a disabled key.","innererror":{"code":"KeyDisabled"}}}',
  },
  {
    rule: "azure.invalid_client_secret",
    cause: "invalid_credentials",
    source: "https://github.com/hashicorp/vault/issues/29503",
    text: "* recovery key verification failed: failed to decrypt encrypted stored keys: error decrypting seal wrapped value\nerror decrypting using seal azurekeyvault: ClientSecretCredential authentication failed. FromClientSecret(): http call(https://login.microsoftonline.com//oauth2/v2.0/token)(POST) error: reply",
  },
  {
    rule: "azure.expired_client_secret",
    cause: "expired_credentials",
    source: "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (AADSTS7000222)",
    text: "AADSTS7000222: The provided client secret keys for app '00000000-0000-0000-0000-000000000000' are expired.",
  },
  {
    rule: "azure.wrong_resource",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/vault-helm/issues/801",
    text: "Error parsing Seal configuration: error fetching Azure Key Vault wrapper key information: azure.BearerAuthorizer#WithAuthorization: Failed to refresh the Token for request to https://azkeyvault.privatelink.vaultcore.azure.net/keys/vault-unseal-key/?api-version=7.0: StatusCode=400 – Original Error: adal: Refresh request failed. Status Code = ‘400’. Response body: {“error”:“invalid_resource”,“error_description”:“AADSTS500011: The resource principal named https://privatelink.vaultcore.azure.net/ was not found in the tenant named xxx.",
    entities: { vaultName: "azkeyvault", keyName: "vault-unseal-key" },
  },
  {
    rule: "azure.managed_identity",
    cause: "managed_identity_error",
    source: "https://github.com/bank-vaults/bank-vaults/issues/1201",
    text: 'msg="error initializing vault: error testing keystore before init: azure.BearerAuthorizer#WithAuthorization: Failed to refresh the Token for request to https://hashicorp-vault-xxxxxxx.vault.azure.net/secrets/vault-test/?api-version=2016-10-01: StatusCode=400 -- Original Error: adal: Refresh request failed. Status Code = \'400\'. Response body: {\\"error\\":\\"invalid_request\\",\\"error_description\\":\\"Identity not found\\"}"',
  },
  {
    rule: "azure.missing_config",
    cause: "seal_config_error",
    source: "https://github.com/linode/apl-core/issues/845",
    text: "Error parsing Seal configuration: key name is required",
  },
  // ---- transit ------------------------------------------------------------------------------
  {
    rule: "transit.permission_denied",
    cause: "permission_denied",
    source: "https://github.com/hashicorp/vault/issues/14833",
    // A valid token whose policy does not allow the path: the ACL's multierror (observed on OpenBao 2.6.2).
    text: 'Error configuring seal "transit": Error making API request.\n\nURL: PUT https://vault-root.example.net:8200/v1/transit/encrypt/autounseal\nCode: 403. Errors:\n\n* 1 error occurred:\n\t* permission denied\n\n',
    entities: { vaultAddr: "https://vault-root.example.net:8200", mountPath: "transit", transitKey: "autounseal" },
  },
  {
    rule: "transit.token_expired",
    cause: "expired_credentials",
    source: "observed on OpenBao 2.6.2: a revoked seal token (test/conformance/transit.ts)",
    text: 'Error configuring seal "transit": Error making API request.\n\nURL: PUT http://127.0.0.1:18299/v1/transit/encrypt/unseal\nCode: 403. Errors:\n\n* permission denied',
    entities: { vaultAddr: "http://127.0.0.1:18299", mountPath: "transit", transitKey: "unseal" },
  },
  {
    rule: "transit.upstream_sealed",
    cause: "transit_unavailable",
    source: "observed on OpenBao 2.6.2: the transit cluster sealed / not initialised",
    text: 'Error configuring seal "transit": Error making API request.\n\nURL: PUT https://127.0.0.1:18377/v1/transit/encrypt/unseal\nCode: 503. Errors:\n\n* Vault is sealed',
  },
  {
    rule: "transit.tls_unknown_authority",
    cause: "tls_error",
    source: "observed on OpenBao 2.6.2: tls_ca_cert names another CA",
    text: 'Error configuring seal "transit": Put "https://127.0.0.1:18377/v1/transit/encrypt/unseal": tls: failed to verify certificate: x509: certificate signed by unknown authority',
  },
  {
    rule: "transit.tls_name_mismatch",
    cause: "tls_error",
    source: "observed on OpenBao 2.6.2: tls_server_name not in the certificate",
    text: 'Error configuring seal "transit": Put "https://127.0.0.1:18377/v1/transit/encrypt/unseal": tls: failed to verify certificate: x509: certificate is valid for transit.test, not other.test',
  },
  {
    rule: "transit.tls_expired",
    cause: "tls_error",
    source: "observed on OpenBao 2.6.2: the transit listener's certificate expired",
    text: 'Error configuring seal "transit": Put "https://127.0.0.1:18387/v1/transit/encrypt/unseal": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-30T14:35:59Z is after 2026-11-30T14:32:57Z',
  },
  {
    rule: "transit.token_expired",
    cause: "expired_credentials",
    source: "https://github.com/hashicorp/vault/issues/14833 (renew-self is the wrapper's start-up call: go-kms-wrapping wrappers/transit/transit_client.go)",
    text: "Error parsing Seal configuration: Error making API request.\n\nURL: PUT https://vault-root.example.net:8200/v1/auth/token/renew-self\nCode: 403. Errors:\n\n* permission denied",
  },
  {
    rule: "transit.key_not_found",
    cause: "key_not_found",
    source: "https://github.com/hashicorp/vault/blob/main/builtin/logical/transit/path_decrypt.go",
    text: "Error making API request.\n\nURL: PUT http://10.0.0.5:8200/v1/transit/decrypt/autounseal\nCode: 400. Errors:\n\n* encryption key not found",
    entities: { transitKey: "autounseal" },
  },
  {
    rule: "transit.mount_not_found",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/vault/blob/main/vault/router.go (no handler for route)",
    text: 'Error making API request.\n\nURL: PUT http://10.0.0.5:8200/v1/transitt/encrypt/autounseal\nCode: 404. Errors:\n\n* no handler for route "transitt/encrypt/autounseal". route entry not found.',
    entities: { mountPath: "transitt" },
  },
  {
    rule: "transit.missing_config",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/transit/transit_client.go",
    text: "Error parsing Seal configuration: key_name is required",
  },
  // ---- Vault core ---------------------------------------------------------------------------
  {
    rule: "vault.no_migration_seal",
    cause: "seal_migration_error",
    source: "https://github.com/hashicorp/vault/issues/16391",
    text: "* can't perform a seal migration, no migration seal found",
  },
  {
    rule: "vault.migration_pending",
    cause: "seal_migration_error",
    source: "https://github.com/hashicorp/vault/blob/main/vault/core.go (unsealFragment)",
    text: "Error unsealing: Error making API request.\n\nURL: PUT http://127.0.0.1:8200/v1/sys/unseal\nCode: 500. Errors:\n\n* migrate option not provided and seal migration is pending",
  },
  {
    rule: "vault.migration_other",
    cause: "seal_migration_error",
    source: "https://github.com/hashicorp/vault/issues/7952",
    text: "Error unsealing: Error making API request.\n\nURL: PUT https://127.0.0.1:8200/v1/sys/unseal\nCode: 500. Errors:\n\n* error setting new barrier key information during migrate: stored keys are not supported",
  },
  {
    rule: "vault.not_initialized",
    cause: "vault_not_initialized",
    source: "https://github.com/hashicorp/vault/blob/main/vault/barrier.go (ErrBarrierNotInit)",
    text: "Error unsealing: Error making API request.\n\nURL: PUT http://127.0.0.1:8200/v1/sys/unseal\nCode: 400. Errors:\n\n* Vault is not initialized",
  },
  {
    rule: "vault.stored_keys_missing",
    cause: "vault_not_initialized",
    source: "https://github.com/hashicorp/vault/issues/6959",
    text: '2019-06-24T16:59:51.661+0800 [WARN]  failed to unseal core: error="stored unseal keys are supported, but none were found"',
  },
  {
    rule: "vault.recovery_key_rejected",
    cause: "recovery_vs_unseal_keys_confusion",
    source: "https://github.com/hashicorp/vault/issues/8012",
    text: "Error unsealing: Error making API request.\n\nURL: PUT http://127.0.0.1:8200/v1/sys/unseal\nCode: 400. Errors:\n\n* Unseal failed, invalid key",
  },
  {
    rule: "vault.stored_keys_decrypt_failed",
    cause: "unseal_decrypt_failed",
    source: "https://github.com/hashicorp/vault/blob/main/vault/seal_autoseal.go",
    text: '2024-05-01T10:00:00.000Z [WARN]  failed to unseal core: error="fetching stored unseal keys failed: failed to decrypt encrypted stored keys: error decrypting seal wrapped value"',
  },
  {
    rule: "vault.seal_config",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/vault/issues/6455",
    text: "Error:\nCould not create barrier seal! Most likely proper Seal configuration information was not set, but no error was generated.",
  },
  {
    rule: "vault.seal_config_generic",
    cause: "seal_config_error",
    source: "https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/awskms/awskms.go",
    text: "Error parsing Seal configuration: error fetching AWS KMS wrapping key information: no key information returned",
  },
  // ---- network ------------------------------------------------------------------------------
  {
    rule: "net.unreachable",
    cause: "network_unreachable",
    source: "https://github.com/hashicorp/vault/issues/10423",
    text: 'Error parsing Seal configuration: Put "http://192.168.10.10:8200/v1/transit/encrypt/autounseal": dial tcp192.168.10.10:8200: connect: no route to host',
    entities: { host: "192.168.10.10:8200", transitKey: "autounseal" },
  },
  {
    rule: "net.tls",
    cause: "tls_error",
    source: "https://github.com/hashicorp/vault-k8s/issues/701",
    text: 'error parsing Seal configuration: error fetching Azure Key Vault wrapper key information: Get "https://*********-vault.vault.azure.net/keys/********-vault-key/?api-version=7.4": remote error: tls: handshake failure',
  },
  {
    rule: "net.http_429",
    cause: "throttled",
    source: "https://learn.microsoft.com/en-us/azure/key-vault/general/overview-throttling",
    text: "keyvault.BaseClient#WrapKey: Failure responding to request: StatusCode=429 -- Original Error: autorest/azure: Service returned an error. Status=429 Code=\"Throttled\"",
  },
  ...PKCS11_SAMPLES,
  ...OPENBAO_SAMPLES,
];
