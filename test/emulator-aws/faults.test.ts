// Injected faults as the SDK experiences them: throttling with and without recovery, 5xx, latency, a server that
// never answers, reset connections, bodies that do not parse; and swapping the whole scenario at runtime.
import { DescribeKeyCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { failureOf, kmsClient, stsClient } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const describeKey = new DescribeKeyCommand({ KeyId: "alias/vault-unseal" });
/** Deadlines short enough to keep the suite fast; the SDK, not the test, decides when to give up. */
const quickDeadline = { connectionTimeout: 500, requestTimeout: 300, throwOnRequestTimeout: true };

describe("scenarios", () => {
  test("throttled: ThrottlingException 'Rate exceeded'", async () => {
    emu = await startAwsEmulator(awsScenario("throttled"));
    expect(await failureOf(kmsClient(emu).send(describeKey))).toEqual({ name: "ThrottlingException", message: "Rate exceeded", status: 400 });
    expect(emu.audit.at(-1)).toMatchObject({ service: "kms", operation: "DescribeKey", result: "ThrottlingException" });
  });

  test("kms-internal-error: HTTP 500 KMSInternalException", async () => {
    emu = await startAwsEmulator(awsScenario("kms-internal-error"));
    expect(await failureOf(kmsClient(emu).send(describeKey))).toEqual({
      name: "KMSInternalException",
      message: "The request was rejected because an internal exception occurred. The request can be retried.",
      status: 500,
    });
  });

  test("unreachable: the request is accepted and never answered; the SDK's request timeout ends it", async () => {
    emu = await startAwsEmulator(awsScenario("unreachable"));
    const failure = await failureOf(kmsClient(emu, { requestHandler: quickDeadline }).send(describeKey));
    expect(failure.name).toBe("TimeoutError");
    expect(emu.audit).toMatchObject([{ service: "kms", operation: "DescribeKey", result: "no-answer" }]);
  });

  test("unreachable, then healthy after setScenario", async () => {
    emu = await startAwsEmulator(awsScenario("unreachable"));
    const kms = kmsClient(emu, { requestHandler: quickDeadline });
    expect((await failureOf(kms.send(describeKey))).name).toBe("TimeoutError");
    emu.setScenario(awsScenario("healthy"));
    expect((await kms.send(describeKey)).KeyMetadata?.KeyState).toBe("Enabled");
  });
});

describe("runtime faults (setFaults)", () => {
  test("throttle twice then recover: the SDK's retries get through", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "throttle", service: "kms", operation: "Encrypt", times: 2 }]);
    const out = await kmsClient(emu, { maxAttempts: 3 }).send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: Buffer.alloc(32) }));
    expect(out.KeyId).toBe("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    expect(emu.audit.map((e) => e.result)).toEqual(["ThrottlingException", "ThrottlingException", "ok"]);
  });

  test("faults are per operation: DescribeKey is untouched while Encrypt is throttled", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "throttle", service: "kms", operation: "Encrypt" }]);
    expect((await kmsClient(emu).send(describeKey)).KeyMetadata?.Enabled).toBe(true);
  });

  test("HTTP 503 on KMS", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "http-error", service: "kms", status: 503 }]);
    expect(await failureOf(kmsClient(emu).send(describeKey))).toMatchObject({ name: "ServiceUnavailableException", status: 503 });
  });

  test("STS throttling and 500 in the Query dialect", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([
      { kind: "throttle", service: "sts", times: 1 },
      { kind: "http-error", service: "sts", times: 1 },
    ]);
    const sts = stsClient(emu);
    expect(await failureOf(sts.send(new GetCallerIdentityCommand({})))).toEqual({ name: "Throttling", message: "Rate exceeded", status: 400 });
    expect(await failureOf(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InternalFailure", status: 500 });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("111122223333");
  });

  test("added latency: the answer still arrives", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "latency", service: "kms", latencyMs: 150 }]);
    expect((await kmsClient(emu).send(describeKey)).KeyMetadata?.Enabled).toBe(true);
  });

  test("latency longer than the client's request timeout is a TimeoutError", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "latency", service: "kms", latencyMs: 2000 }]);
    expect((await failureOf(kmsClient(emu, { requestHandler: quickDeadline }).send(describeKey))).name).toBe("TimeoutError");
  });

  test("connection reset", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "reset", service: "kms" }]);
    const failure = await failureOf(kmsClient(emu).send(describeKey));
    // Node's own words for a reset connection are the point: the doctor's network classifier keys on them.
    expect(failure.message).toMatch(/ECONNRESET|socket hang up/);
    expect(emu.audit.at(-1)?.result).toBe("connection-reset");
  });

  test("malformed JSON body", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "malformed", service: "kms" }]);
    const failure = await failureOf(kmsClient(emu).send(describeKey));
    expect(failure.name).toBe("SyntaxError");
    expect(failure.status).toBe(200);
  });

  test("truncated body", async () => {
    emu = await startAwsEmulator(awsScenario("healthy"));
    emu.setFaults([{ kind: "truncated", service: "kms" }]);
    const failure = await failureOf(kmsClient(emu).send(describeKey));
    // Node's words for a body cut short are the point (what the SDK surfaces; the classifier keys on them).
    expect(failure.message).toMatch(/aborted|ECONNRESET|socket hang up|premature|terminated/i);
  });
});

test("close() resolves while a request is still hanging, and the client sees the connection end", async () => {
  const hanging = await startAwsEmulator(awsScenario("unreachable"));
  const pending = failureOf(kmsClient(hanging, { requestHandler: { connectionTimeout: 500, requestTimeout: 10_000, throwOnRequestTimeout: true } }).send(describeKey));
  while (hanging.audit.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await hanging.close();
  // Node's words for a connection closed under a pending request are the point.
  expect((await pending).message).toMatch(/ECONNRESET|socket hang up|aborted/);
});
