// SigV4 is verified for real: wrong secret, unknown key, expired session and skewed clock each fail the way AWS
// reports them, in KMS's JSON dialect and in STS/IAM's Query dialect.
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { failureOf, iamClient, kmsClient, stsClient, VAULT_SESSION_ARN } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

describe.each([
  {
    scenario: "invalid-secret",
    kms: { name: "InvalidSignatureException", message: SIGNATURE_MISMATCH, status: 400 },
    query: { name: "SignatureDoesNotMatch", message: SIGNATURE_MISMATCH, status: 403 },
  },
  {
    scenario: "unknown-access-key",
    kms: { name: "UnrecognizedClientException", message: "The security token included in the request is invalid.", status: 400 },
    query: { name: "InvalidClientTokenId", message: "The security token included in the request is invalid.", status: 403 },
  },
  {
    scenario: "expired-session-token",
    kms: { name: "ExpiredTokenException", message: "The security token included in the request is expired", status: 400 },
    query: { name: "ExpiredToken", message: "The security token included in the request is expired", status: 403 },
  },
])("$scenario", ({ scenario, kms, query }) => {
  test("KMS", async () => {
    emu = await startAwsEmulator(awsScenario(scenario));
    expect(await failureOf(kmsClient(emu).send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })))).toEqual(kms);
    expect(emu.audit.at(-1)).toMatchObject({ service: "kms", operation: "DescribeKey", result: kms.name });
    expect(emu.audit.at(-1)?.principal).toBeUndefined();
  });

  test("STS and IAM", async () => {
    emu = await startAwsEmulator(awsScenario(scenario));
    expect(await failureOf(stsClient(emu).send(new GetCallerIdentityCommand({})))).toEqual(query);
    expect(await failureOf(iamClient(emu).send(new GetRoleCommand({ RoleName: "vault-unseal" })))).toEqual(query);
  });
});

describe("clock-skew (the emulator's clock runs 15 minutes ahead of the client's)", () => {
  const expiredPattern = /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$/;

  test("KMS: InvalidSignatureException 'Signature expired: ...'", async () => {
    emu = await startAwsEmulator(awsScenario("clock-skew"));
    const failure = await failureOf(kmsClient(emu).send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })));
    expect(failure.name).toBe("InvalidSignatureException");
    const [, signedAt, limit, serverNow] = expiredPattern.exec(failure.message) ?? [];
    expect(signedAt! < limit!).toBe(true);
    expect(limit! < serverNow!).toBe(true);
  });

  test("STS: SignatureDoesNotMatch with the same text", async () => {
    emu = await startAwsEmulator(awsScenario("clock-skew"));
    const failure = await failureOf(stsClient(emu).send(new GetCallerIdentityCommand({})));
    expect(failure.name).toBe("SignatureDoesNotMatch");
    // AWS's exact wording is the point: the emulator must answer as AWS does.
    expect(failure.message).toMatch(expiredPattern);
  });

  test("the JS SDK corrects its clock from the Date header and succeeds on its retry", async () => {
    emu = await startAwsEmulator(awsScenario("clock-skew"));
    const identity = await stsClient(emu, { maxAttempts: 2 }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(VAULT_SESSION_ARN);
    expect(emu.audit.map((e) => e.result)).toEqual(["SignatureDoesNotMatch", "ok"]);
  });

  test("a client clock ahead of the server is 'Signature not yet current'", async () => {
    emu = await startAwsEmulator({ ...awsScenario("healthy"), clockSkewSeconds: -900 });
    const failure = await failureOf(kmsClient(emu).send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })));
    expect(failure.name).toBe("InvalidSignatureException");
    // AWS's exact wording is the point: the emulator must answer as AWS does.
    expect(failure.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
  });
});

test("a request without a session token for a temporary key is rejected as invalid", async () => {
  emu = await startAwsEmulator(awsScenario("healthy"));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = emu.env;
  const kms = kmsClient(emu, { credentials: { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! } });
  expect(await failureOf(kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })))).toMatchObject({ name: "UnrecognizedClientException" });
});

test("GetCallerIdentity names the role session", async () => {
  emu = await startAwsEmulator(awsScenario("healthy"));
  const identity = await stsClient(emu).send(new GetCallerIdentityCommand({}));
  expect(identity).toMatchObject({ Account: "111122223333", Arn: VAULT_SESSION_ARN });
  expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:vault-0$/);
});
