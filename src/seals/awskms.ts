// AWS KMS (`seal "awskms"`).
// Settings and their order: go-kms-wrapping wrappers/awskms/awskms.go SetConfig and options.go getOpts (any other
// key is silently ignored; docs/vault-seal-facts.md#seal-settings); the environment overlay:
// vault internalshared/configutil/env_var_util.go (AWSKMSEnvVars). Vault needs exactly kms:DescribeKey,
// kms:Encrypt and kms:Decrypt on the key (src/policy/vault-requests.ts).
import { defineSeal } from "./types.js";

export default defineSeal({
  type: "awskms",
  title: "AWS KMS",
  settings: [
    { name: "region", identifiesKey: true },
    { name: "kms_key_id", requiredText: "key id not found in env or config for aws kms wrapper configuration", identifiesKey: true },
    { name: "endpoint", identifiesKey: true },
    { name: "access_key", indirect: true },
    { name: "secret_key", secret: true, indirect: true },
    { name: "session_token", secret: true, indirect: true },
    { name: "shared_creds_filename" },
    { name: "shared_creds_profile" },
    { name: "web_identity_token_file" },
    { name: "role_arn" },
    { name: "role_session_name" },
    { name: "disallow_env_vars", kind: "bool" },
    { name: "key_not_required", kind: "bool" },
  ],
  aliases: {
    aws_region: "region", key_id: "kms_key_id", kms_key: "kms_key_id", kms_key_arn: "kms_key_id", kms_endpoint: "endpoint",
    aws_access_key_id: "access_key", aws_secret_access_key: "secret_key", profile: "shared_creds_profile",
  },
  env: {
    vars: [
      ["AWS_REGION", "region"],
      ["AWS_DEFAULT_REGION", "region"],
      ["AWS_ACCESS_KEY_ID", "access_key"],
      ["AWS_SECRET_ACCESS_KEY", "secret_key"],
      ["AWS_SESSION_TOKEN", "session_token"],
      // go-kms-wrapping awskms SetConfig: AWSKMS_WRAPPER_KEY_ID, then VAULT_AWSKMS_SEAL_KEY_ID, then kms_key_id.
      ["AWSKMS_WRAPPER_KEY_ID", "kms_key_id"],
      ["VAULT_AWSKMS_SEAL_KEY_ID", "kms_key_id"],
      ["AWS_KMS_ENDPOINT", "endpoint"],
    ],
    ordered: ["kms_key_id"],
  },
  // OpenBao 2.6 (openbao/openbao helper/configutil has no env_var_util.go): the wrapper alone reads the environment
  // (openbao/go-kms-wrapping wrappers/awskms v2.4.0 awskms.go SetConfig): the key id and endpoint variables win
  // over the file, but the region comes from go-secure-stdlib awsutil.GetRegion, where the configured region wins
  // over AWS_REGION, then AWS_DEFAULT_REGION; static keys in the stanza win over the SDK chain's AWS_* variables.
  envFor: {
    openbao: {
      vars: [
        ["AWSKMS_WRAPPER_KEY_ID", "kms_key_id"],
        ["VAULT_AWSKMS_SEAL_KEY_ID", "kms_key_id"],
        ["AWS_KMS_ENDPOINT", "endpoint"],
        ["AWS_REGION", "region"],
        ["AWS_DEFAULT_REGION", "region"],
        ["AWS_ACCESS_KEY_ID", "access_key"],
        ["AWS_SECRET_ACCESS_KEY", "secret_key"],
        ["AWS_SESSION_TOKEN", "session_token"],
      ],
      ordered: ["kms_key_id", "region"],
      fileWins: ["region", "access_key", "secret_key", "session_token"],
    },
  },
  secretEnvVars: ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"],
  flags: [
    { flag: "key-id", setting: "kms_key_id", describe: "awskms: kms_key_id (key id, key ARN, alias name or alias ARN)" },
    { flag: "region", setting: "region", describe: "awskms: region" },
    { flag: "endpoint", setting: "endpoint", describe: "awskms: endpoint (VPC endpoint URL)" },
  ],
  providerHint: /amazonaws|arn:aws|AWS KMS|awskms|\bKMS\b.{0,40}Exception/,
  checks: [
    "awskms.region-key",
    "awskms.credentials",
    "awskms.identity",
    "awskms.iam-simulation",
    "awskms.irsa-trust",
    "awskms.key-state",
    "awskms.rotation",
    "awskms.round-trip",
    "awskms.round-trip-context",
    "awskms.deletion-protection",
  ],
});
