// Where HashiCorp Vault and OpenBao really behave differently, in one place, each with its source. The doctor
// speaks for one target server, chosen or detected by src/targets/target.ts and carried in the run options.
export const TARGET_SERVERS = ["vault", "openbao"] as const;
export type TargetServer = (typeof TARGET_SERVERS)[number];

export interface ServerBehaviour {
  /** Printed in findings. */
  label: string;
  /** The AWS SDK behind the awskms seal. */
  awsSdk: string;
  /**
   * Whether the awskms seal's SDK measures the clock offset from AWS's responses and re-signs, so a host clock
   * more than 5 minutes off still unseals.
   */
  correctsAwsClockSkew: boolean;
  source: string;
}

export const SERVER_BEHAVIOUR: Record<TargetServer, ServerBehaviour> = {
  vault: {
    label: "Vault",
    awsSdk: "aws-sdk-go-v2",
    correctsAwsClockSkew: true,
    // hashicorp/go-kms-wrapping wrappers/awskms/v4 go.mod (v4.0.3): aws-sdk-go-v2 v1.39.2, service/kms v1.45.6;
    // clock-skew correction for every service client since the 2024-06-07 release (aws/aws-sdk-go-v2 PR #2668,
    // service CHANGELOGs: "Add clock skew correction on all service clients").
    source: "hashicorp/go-kms-wrapping wrappers/awskms/v4 go.mod; aws/aws-sdk-go-v2 PR #2668",
  },
  openbao: {
    label: "OpenBao 2.6",
    awsSdk: "aws-sdk-go v1",
    correctsAwsClockSkew: false,
    // openbao/openbao v2.6.2 go.mod: openbao/go-kms-wrapping/wrappers/awskms/v2 v2.4.0, aws-sdk-go v1.55.6. In
    // aws-sdk-go v1.55.6 aws/signer/v4/v4.go SignSDKRequest signs with time.Now and nothing adjusts it (the
    // feature request aws/aws-sdk-go#423 was never done). Observed by `npm run conformance` (clock-skew row):
    // "InvalidSignatureException: Signature expired: ... is now earlier than ... (... - 5 min.)", the server exits.
    source: "openbao/openbao v2.6.2 go.mod; aws/aws-sdk-go v1.55.6 aws/signer/v4/v4.go",
  },
};

export function isTargetServer(value: string): value is TargetServer {
  return (TARGET_SERVERS as readonly string[]).includes(value);
}

/** How the target server behaves where Vault and OpenBao differ. */
export function serverBehaviour(server: TargetServer | undefined): ServerBehaviour {
  return SERVER_BEHAVIOUR[server ?? "vault"];
}
