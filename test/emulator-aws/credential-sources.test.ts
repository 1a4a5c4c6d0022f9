// The credential chain end to end: the SDK's own providers (web identity, instance metadata, container endpoint)
// fetch credentials from the emulator, and those credentials then sign KMS calls as the right principal.
import { readFileSync } from "node:fs";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromContainerMetadata, fromHttp, fromInstanceMetadata, fromTokenFile } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { applyEnv, failureOf, KEY_ARN, kmsClient, stsClient } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
let restoreEnv: (() => void) | undefined;
afterEach(async () => {
  restoreEnv?.();
  restoreEnv = undefined;
  await emu?.close();
  emu = undefined;
});

const IRSA_SESSION = "arn:aws:sts::111122223333:assumed-role/vault-unseal/vault-irsa";

function webIdentity(e: AwsEmulator) {
  return fromTokenFile({
    roleArn: e.env["AWS_ROLE_ARN"],
    webIdentityTokenFile: e.env["AWS_WEB_IDENTITY_TOKEN_FILE"],
    roleSessionName: "vault-irsa",
    clientConfig: { endpoint: e.env["AWS_ENDPOINT_URL_STS"], region: e.env["AWS_REGION"], maxAttempts: 1 },
  });
}

describe("IRSA (AssumeRoleWithWebIdentity)", () => {
  test("irsa-healthy: the projected token becomes a vault-unseal session that may use the key", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-healthy"));
    const credentials = await webIdentity(emu)();
    expect((await stsClient(emu, { credentials }).send(new GetCallerIdentityCommand({}))).Arn).toBe(IRSA_SESSION);
    const { KeyMetadata } = await kmsClient(emu, { credentials }).send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata?.Arn).toBe(KEY_ARN);
    expect(emu.audit.map((e) => [e.service, e.operation, e.principal, e.result])).toEqual([
      ["sts", "AssumeRoleWithWebIdentity", IRSA_SESSION, "ok"],
      ["sts", "GetCallerIdentity", IRSA_SESSION, "ok"],
      ["kms", "DescribeKey", IRSA_SESSION, "ok"],
    ]);
  });

  test("irsa-healthy: the default chain, configured only by the published env, gets there on its own", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-healthy"));
    restoreEnv = applyEnv({ ...emu.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined });
    const kms = new KMSClient({ maxAttempts: 1 });
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata?.KeyState).toBe("Enabled");
    expect(emu.audit.map((e) => e.operation)).toEqual(["AssumeRoleWithWebIdentity", "DescribeKey"]);
  });

  test("irsa-sub-mismatch: AccessDenied 'Not authorized to perform sts:AssumeRoleWithWebIdentity'", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-sub-mismatch"));
    const token = readFileSync(emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"]!, "utf8");
    expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub).toBe("system:serviceaccount:aurora-oss:aurora-oss-vault");
    expect(await failureOf(webIdentity(emu)())).toEqual({
      name: "AccessDenied",
      message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      status: 403,
    });
  });

  test("irsa-token-expired: ExpiredTokenException 'Token expired: current date/time ... must be before ...'", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-token-expired"));
    const failure = await failureOf(webIdentity(emu)());
    expect(failure.name).toBe("ExpiredTokenException");
    expect(failure.status).toBe(400);
    const [, now, exp] = /^Token expired: current date\/time (\d+) must be before the expiration date\/time (\d+)$/.exec(failure.message) ?? [];
    expect(Number(now) - Number(exp)).toBeGreaterThanOrEqual(3600);
  });

  test("an issuer with no registered OIDC provider is InvalidIdentityToken", async () => {
    emu = await startAwsEmulator({ ...awsScenario("irsa-healthy"), oidcProviders: [] });
    expect(await failureOf(webIdentity(emu)())).toEqual({
      name: "InvalidIdentityTokenException",
      message: "No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
      status: 400,
    });
  });
});

describe("EC2 instance metadata", () => {
  const imdsEnv = (e: AwsEmulator) => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: e.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"], AWS_EC2_METADATA_DISABLED: undefined });

  test("imds-healthy: IMDSv2 token, role name, credentials; the session is named after the instance", async () => {
    emu = await startAwsEmulator(awsScenario("imds-healthy"));
    restoreEnv = applyEnv(imdsEnv(emu));
    const credentials = fromInstanceMetadata({ timeout: 1000, maxRetries: 0 });
    const identity = await stsClient(emu, { credentials }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe("arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0a1b2c3d4e5f67890");
    expect(emu.audit.slice(0, 3).map((e) => [e.service, e.operation, e.result])).toEqual([
      ["imds", "GetToken", "ok"],
      ["imds", "GetMetadata", "ok"],
      ["imds", "GetMetadata", "ok"],
    ]);
  });

  test("imds-healthy: region and identity document are served", async () => {
    emu = await startAwsEmulator(awsScenario("imds-healthy"));
    const token = await (await fetch(`${emu.endpoint}/latest/api/token`, { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" } })).text();
    const get = (path: string) => fetch(`${emu!.endpoint}${path}`, { headers: { "x-aws-ec2-metadata-token": token } });
    expect(await (await get("/latest/meta-data/placement/region")).text()).toBe("us-east-1");
    expect(await (await get("/latest/dynamic/instance-identity/document")).json()).toMatchObject({ accountId: "111122223333", region: "us-east-1" });
    expect((await fetch(`${emu.endpoint}/latest/meta-data/placement/region`)).status).toBe(401);
  });

  test("imds-hop-limit: the token PUT never answers, the IMDSv1 fallback is refused, no credentials", async () => {
    emu = await startAwsEmulator(awsScenario("imds-hop-limit"));
    restoreEnv = applyEnv(imdsEnv(emu));
    const failure = await failureOf(fromInstanceMetadata({ timeout: 300, maxRetries: 0 })());
    expect(failure).toMatchObject({ name: "ProviderError", message: "Error response received from instance metadata service" });
    expect(emu.audit.map((e) => [e.operation, e.result])).toEqual([
      ["GetToken", "no-answer"],
      ["GetMetadata", "Unauthorized"],
    ]);
  });

  test("node-role-instead-of-irsa: without IRSA the chain lands on the node role, which KMS denies", async () => {
    emu = await startAwsEmulator(awsScenario("node-role-instead-of-irsa"));
    expect(emu.env["AWS_ROLE_ARN"]).toBeUndefined();
    restoreEnv = applyEnv(imdsEnv(emu));
    const kms = kmsClient(emu, { credentials: fromInstanceMetadata({ timeout: 1000, maxRetries: 0 }) });
    const session = "arn:aws:sts::111122223333:assumed-role/eks-node-group-role/i-0b22a22eec53b9321";
    expect(await failureOf(kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })))).toEqual({
      name: "AccessDeniedException",
      message: `User: ${session} is not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN} because no identity-based policy allows the kms:DescribeKey action`,
      status: 400,
    });
  });
});

describe("container credentials (EKS Pod Identity)", () => {
  test("fromHttp reads the token file from the env and gets vault-unseal credentials", async () => {
    emu = await startAwsEmulator(awsScenario("pod-identity-healthy"));
    restoreEnv = applyEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: emu.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: emu.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
    });
    const identity = await stsClient(emu, { credentials: fromHttp({ timeout: 1000, maxRetries: 0 }) }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe("arn:aws:sts::111122223333:assumed-role/vault-unseal/eks-vault-pod-identity");
  });

  test("fromContainerMetadata with the token; a wrong token is refused", async () => {
    emu = await startAwsEmulator(awsScenario("pod-identity-healthy"));
    const token = readFileSync(emu.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]!, "utf8");
    restoreEnv = applyEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: emu.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], AWS_CONTAINER_AUTHORIZATION_TOKEN: token });
    const credentials = await fromContainerMetadata({ timeout: 1000, maxRetries: 0 })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    process.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "not-the-token";
    await expect(fromContainerMetadata({ timeout: 1000, maxRetries: 0 })()).rejects.toThrow();
    expect(emu.audit.map((e) => e.result)).toEqual(["ok", "Unauthorized"]);
  });
});

test("STS AssumeRole issues a session that the emulator then accepts", async () => {
  const s = awsScenario("healthy");
  // Let the vault role assume itself (a role-chaining setup), so the test needs no second principal.
  s.roles![0]!.trustPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/vault-unseal" }, Action: "sts:AssumeRole" }] };
  emu = await startAwsEmulator(s);
  const sts = stsClient(emu);
  const { Credentials, AssumedRoleUser } = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:role/vault-unseal", RoleSessionName: "chained" }));
  expect(AssumedRoleUser?.Arn).toBe("arn:aws:sts::111122223333:assumed-role/vault-unseal/chained");
  const chained = new STSClient({
    region: "us-east-1",
    endpoint: emu.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
  expect((await chained.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::111122223333:assumed-role/vault-unseal/chained");
  expect(Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now());
});
