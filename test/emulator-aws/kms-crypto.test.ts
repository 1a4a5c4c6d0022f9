// Ciphertext semantics as KMS has them: the blob is bound to its key and to the exact encryption context.
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListResourceTagsCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { AwsScenario } from "../emulator/aws/scenario.js";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { failureOf, KEY_ARN, kmsClient } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

const OTHER_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321";
const HMAC_KEY_ID = "5555aaaa-55aa-55aa-55aa-5555aaaa5555";

function withExtraKeys(): AwsScenario {
  const s = awsScenario("healthy");
  // This file exercises crypto semantics, not policies: let the role use every key.
  s.roles![0]!.inlinePolicies!["all-keys"] = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
  s.keys.push(
    { keyId: OTHER_KEY_ID, region: "us-east-1", aliases: ["alias/other"] },
    { keyId: HMAC_KEY_ID, region: "us-east-1", keySpec: "HMAC_256", aliases: ["alias/mac"] },
  );
  return s;
}

let emu: AwsEmulator;
let kms: ReturnType<typeof kmsClient>;
beforeAll(async () => {
  emu = await startAwsEmulator(withExtraKeys());
  kms = kmsClient(emu);
});
afterAll(async () => emu.close());

const plaintext = Buffer.from("vault root key material, 32 byte");

async function encrypt(context?: Record<string, string>, keyId = "alias/vault-unseal") {
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }));
  return CiphertextBlob!;
}

describe("encryption context", () => {
  test("round trip with the same context", async () => {
    const blob = await encrypt({ App: "vault-prod", Cluster: "eu" });
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { Cluster: "eu", App: "vault-prod" } }));
    expect(Buffer.from(out.Plaintext!)).toEqual(plaintext);
  });

  test("round trip without context", async () => {
    const blob = await encrypt();
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: {} }));
    expect(Buffer.from(out.Plaintext!)).toEqual(plaintext);
  });

  test.each<{ case: string; context: Record<string, string> | undefined }>([
    { case: "missing context", context: undefined },
    { case: "different value", context: { App: "vault-dev" } },
    { case: "extra pair", context: { App: "vault-prod", Extra: "1" } },
    // Length-prefixed serialisation: moving a character between key and value must not collide.
    { case: "shifted boundary", context: { Ap: "pvault-prod" } },
  ])("$case -> InvalidCiphertextException (no message, as KMS sends it)", async ({ context }) => {
    const blob = await encrypt({ App: "vault-prod" });
    expect(await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })))).toEqual({
      name: "InvalidCiphertextException",
      message: "UnknownError",
      status: 400,
    });
  });

  test("a context added at decrypt time to a blob made without one fails too", async () => {
    const blob = await encrypt();
    const failure = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { App: "vault-prod" } })));
    expect(failure.name).toBe("InvalidCiphertextException");
  });

  test("a tampered blob fails", async () => {
    const blob = Buffer.from(await encrypt());
    blob[blob.length - 1] ^= 0x01;
    expect((await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe("InvalidCiphertextException");
  });
});

describe("which key", () => {
  test("Decrypt without KeyId resolves the key from the blob", async () => {
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: await encrypt(undefined, "alias/other") }));
    expect(out.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${OTHER_KEY_ID}`);
  });

  test("Decrypt naming the right key by alias works; naming another key is IncorrectKeyException", async () => {
    const blob = await encrypt();
    await kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: "alias/vault-unseal" }));
    expect(await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: OTHER_KEY_ID })))).toMatchObject({
      name: "IncorrectKeyException",
      message: "The key ID in the request does not identify a KMS key that can perform this operation",
    });
  });

  test("Decrypt in another region cannot reach the blob's key", async () => {
    const blob = await encrypt();
    const west = kmsClient(emu, { region: "us-west-2" });
    expect(await failureOf(west.send(new DecryptCommand({ CiphertextBlob: blob })))).toMatchObject({
      name: "AccessDeniedException",
      message: "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
    });
  });

  test("Encrypt with an HMAC key is InvalidKeyUsageException", async () => {
    expect(await failureOf(kms.send(new EncryptCommand({ KeyId: "alias/mac", Plaintext: plaintext })))).toMatchObject({
      name: "InvalidKeyUsageException",
      message: `arn:aws:kms:us-east-1:111122223333:key/${HMAC_KEY_ID} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
    });
  });
});

describe("other reads", () => {
  test("GenerateDataKey returns a plaintext key and a blob that decrypts to it", async () => {
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: "alias/vault-unseal", KeySpec: "AES_256", EncryptionContext: { App: "x" } }));
    expect(dataKey.Plaintext).toHaveLength(32);
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { App: "x" } }));
    expect(Buffer.from(out.Plaintext!)).toEqual(Buffer.from(dataKey.Plaintext!));
  });

  test("ListAliases lists the region's aliases with ARNs and targets", async () => {
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    expect(Aliases?.map((a) => [a.AliasName, a.AliasArn, a.TargetKeyId])).toEqual([
      ["alias/vault-unseal", "arn:aws:kms:us-east-1:111122223333:alias/vault-unseal", "1234abcd-12ab-34cd-56ef-1234567890ab"],
      ["alias/other", "arn:aws:kms:us-east-1:111122223333:alias/other", OTHER_KEY_ID],
      ["alias/mac", "arn:aws:kms:us-east-1:111122223333:alias/mac", HMAC_KEY_ID],
    ]);
    const forKey = await kms.send(new ListAliasesCommand({ KeyId: KEY_ARN }));
    expect(forKey.Aliases?.map((a) => a.AliasName)).toEqual(["alias/vault-unseal"]);
  });

  test("GetKeyPolicy returns the policy JSON named default; ListKeyPolicies and ListResourceTags agree", async () => {
    const { Policy, PolicyName } = await kms.send(new GetKeyPolicyCommand({ KeyId: KEY_ARN, PolicyName: "default" }));
    expect(PolicyName).toBe("default");
    expect(JSON.parse(Policy!).Statement[0]).toMatchObject({ Sid: "Enable IAM User Permissions", Principal: { AWS: "arn:aws:iam::111122223333:root" } });
    expect((await kms.send(new ListKeyPoliciesCommand({ KeyId: KEY_ARN }))).PolicyNames).toEqual(["default"]);
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: KEY_ARN }))).Tags).toEqual([
      { TagKey: "Application", TagValue: "vault" },
      { TagKey: "Environment", TagValue: "prod" },
    ]);
  });
});
