// The probe Vault's awskms seal effectively performs: Encrypt a fresh random 32-byte data key, Decrypt the
// blob without KeyId, compare (go-kms-wrapping wrappers/awskms/awskms.go Encrypt/Decrypt and envelope.go,
// docs/vault-seal-facts.md#awskms-requests). One implementation for
// the Vault-style round trip, the kms_context comparison and the old seal of a migration. The plaintext never
// leaves this function.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { callAws, createKmsClient, type AwsClientOptions } from "../clients/aws.js";

export type ProbeStep = "Encrypt" | "Decrypt" | "Compare";

export interface ProbeResult {
  ok: boolean;
  /** The key ARN Encrypt reported (an alias resolves to its key). */
  keyArn?: string;
  ciphertextBytes?: number;
  ms: number;
  /** Where it stopped, and the SDK error if one was thrown. */
  failedStep?: ProbeStep;
  error?: unknown;
}

export async function kmsRoundTrip(opts: AwsClientOptions, keyId: string, context?: Record<string, string>): Promise<ProbeResult> {
  const { EncryptCommand, DecryptCommand } = await import("@aws-sdk/client-kms");
  const kms = await createKmsClient(opts);
  const probe = randomBytes(32);
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let step: ProbeStep = "Encrypt";
  let keyArn: string | undefined;
  try {
    const enc = await callAws("kms", opts, (abortSignal) => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: probe, EncryptionContext: context }), { abortSignal }));
    keyArn = enc.KeyId;
    step = "Decrypt";
    const dec = await callAws("kms", opts, (abortSignal) => kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }), { abortSignal }));
    const plain = dec.Plaintext ? Buffer.from(dec.Plaintext) : Buffer.alloc(0);
    if (plain.length !== probe.length || !timingSafeEqual(plain, probe)) return { ok: false, keyArn, ms: ms(), failedStep: "Compare" };
    return { ok: true, keyArn, ciphertextBytes: enc.CiphertextBlob?.length ?? 0, ms: ms() };
  } catch (error) {
    return { ok: false, keyArn, ms: ms(), failedStep: step, error };
  } finally {
    kms.destroy();
  }
}
