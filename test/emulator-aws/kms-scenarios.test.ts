// Each static-credential scenario, driven through the unmodified @aws-sdk/client-kms the way Vault's awskms seal
// calls KMS: DescribeKey on the configured key, Encrypt with no context, Decrypt with no KeyId and no context.
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { afterEach, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { failureOf, KEY_ARN, kmsClient, VAULT_SESSION_ARN } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(name: string) {
  emu = await startAwsEmulator(awsScenario(name));
  return { emu, kms: kmsClient(emu) };
}

const denied = (action: string, reason: string) =>
  `User: ${VAULT_SESSION_ARN} is not authorized to perform: ${action} on resource: ${KEY_ARN} ${reason}`;

describe("healthy", () => {
  test("DescribeKey by alias returns the symmetric key's metadata", async () => {
    const { kms } = await start("healthy");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata).toMatchObject({
      AWSAccountId: "111122223333",
      KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      Arn: KEY_ARN,
      Enabled: true,
      KeyState: "Enabled",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      Origin: "AWS_KMS",
      KeyManager: "CUSTOMER",
      MultiRegion: false,
    });
    expect(KeyMetadata?.CreationDate).toEqual(new Date("2024-01-15T09:30:00Z"));
  });

  test("Vault's envelope calls succeed: Encrypt without context, Decrypt without KeyId", async () => {
    const { kms } = await start("healthy");
    const plaintext = Buffer.alloc(32, 7);
    const encrypted = await kms.send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: plaintext }));
    expect(encrypted.KeyId).toBe(KEY_ARN);
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(decrypted.KeyId).toBe(KEY_ARN);
    expect(Buffer.from(decrypted.Plaintext!)).toEqual(plaintext);
  });

  test("rotation is on with a 365-day period", async () => {
    const { kms } = await start("healthy");
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ARN }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365, KeyId: KEY_ARN });
    expect(status.NextRotationDate!.getTime()).toBeGreaterThan(Date.now());
  });
});

describe.each([
  {
    scenario: "denied-by-identity-policy",
    name: "AccessDeniedException",
    message: denied("kms:DescribeKey", "because no identity-based policy allows the kms:DescribeKey action"),
  },
  {
    scenario: "denied-by-key-policy",
    name: "AccessDeniedException",
    message: denied("kms:DescribeKey", "because no resource-based policy allows the kms:DescribeKey action"),
  },
  {
    // DescribeKey carries no encryption context, so a context condition can never match it.
    scenario: "context-required",
    name: "AccessDeniedException",
    message: denied("kms:DescribeKey", "because no identity-based policy allows the kms:DescribeKey action"),
  },
  {
    scenario: "wrong-region",
    name: "NotFoundException",
    message: "Alias arn:aws:kms:us-east-1:111122223333:alias/vault-unseal is not found.",
  },
  {
    scenario: "alias-missing",
    name: "NotFoundException",
    message: "Alias arn:aws:kms:us-east-1:111122223333:alias/vault-unseal is not found.",
  },
])("$scenario: DescribeKey fails", ({ scenario, name, message }) => {
  test(`${name}`, async () => {
    const { kms, emu } = await start(scenario);
    expect(await failureOf(kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" })))).toMatchObject({ name, message, status: 400 });
    expect(emu.audit.at(-1)).toMatchObject({ service: "kms", operation: "DescribeKey", principal: VAULT_SESSION_ARN, result: name });
  });
});

describe("key state and kind", () => {
  test("key-disabled: DescribeKey shows Disabled, Encrypt is DisabledException", async () => {
    const { kms } = await start("key-disabled");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata).toMatchObject({ KeyState: "Disabled", Enabled: false });
    expect(await failureOf(kms.send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: Buffer.alloc(32) })))).toMatchObject({
      name: "DisabledException",
      message: `${KEY_ARN} is disabled.`,
    });
  });

  test("key-pending-deletion: DescribeKey shows the deletion date, Decrypt is KMSInvalidStateException", async () => {
    const { kms, emu } = await start("key-pending-deletion");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata).toMatchObject({ KeyState: "PendingDeletion", Enabled: false, PendingDeletionWindowInDays: 7 });
    expect(KeyMetadata?.DeletionDate!.getTime()).toBeGreaterThan(Date.now());
    // A blob sealed while the key was healthy, decrypted now that it is pending deletion.
    emu.setScenario(awsScenario("healthy"));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: Buffer.alloc(32) }));
    emu.setScenario(awsScenario("key-pending-deletion"));
    expect(await failureOf(kms.send(new DecryptCommand({ CiphertextBlob })))).toMatchObject({
      name: "KMSInvalidStateException",
      message: `${KEY_ARN} is pending deletion.`,
    });
  });

  test("rotation-off: GetKeyRotationStatus says disabled, without a period", async () => {
    const { kms } = await start("rotation-off");
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: "alias/vault-unseal" }));
    expect(status.KeyRotationEnabled).toBe(false);
    expect(status.RotationPeriodInDays).toBeUndefined();
  });

  test("asymmetric-key: DescribeKey shows RSA_2048, Encrypt as Vault calls it is InvalidKeyUsageException", async () => {
    const { kms } = await start("asymmetric-key");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata).toMatchObject({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT", EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] });
    expect(await failureOf(kms.send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: Buffer.alloc(32) })))).toMatchObject({
      name: "InvalidKeyUsageException",
      message: "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    });
  });
});

describe("policies", () => {
  test("context-required: Encrypt with App=vault-prod is allowed, without context it is denied", async () => {
    const { kms } = await start("context-required");
    await kms.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: Buffer.alloc(32), EncryptionContext: { App: "vault-prod" } }));
    expect(await failureOf(kms.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: Buffer.alloc(32) })))).toMatchObject({
      name: "AccessDeniedException",
      message: denied("kms:Encrypt", "because no identity-based policy allows the kms:Encrypt action"),
    });
  });

  test("explicit-deny: Encrypt works, Decrypt is denied by the key policy", async () => {
    const { kms } = await start("explicit-deny");
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: "alias/vault-unseal", Plaintext: Buffer.alloc(32) }));
    expect(await failureOf(kms.send(new DecryptCommand({ CiphertextBlob })))).toMatchObject({
      name: "AccessDeniedException",
      message: denied("kms:Decrypt", "with an explicit deny in a resource-based policy"),
    });
  });

  test("wrong-region: the key answers when asked in its own region", async () => {
    const { emu } = await start("wrong-region");
    const west = kmsClient(emu, { region: "us-west-2" });
    const { KeyMetadata } = await west.send(new DescribeKeyCommand({ KeyId: "alias/vault-unseal" }));
    expect(KeyMetadata?.Arn).toBe("arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  });

  test("a key id that exists nowhere is NotFoundException naming the key ARN", async () => {
    const { kms } = await start("healthy");
    expect(await failureOf(kms.send(new DescribeKeyCommand({ KeyId: "0987dcba-09fe-87dc-65ba-ab0987654321" })))).toMatchObject({
      name: "NotFoundException",
      message: "Key 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321' does not exist",
    });
  });
});
