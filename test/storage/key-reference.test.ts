// The key reference of a stored envelope, per wrapper, from envelopes built as go-kms-wrapping marshals them.
import { describe, expect, it } from "vitest";
import { decodeStoredBlob } from "../../src/storage/blob-info.js";
import { keyReference, keyReferences } from "../../src/storage/key-reference.js";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const blob = (keyId: string, ciphertext: Buffer = Buffer.alloc(48, 1)) => Buffer.concat([bytesField(1, ciphertext), bytesField(5, bytesField(3, Buffer.from(keyId)))]);

describe("keyReference", () => {
  it("awskms: the ARN's region, account and key id", () => {
    expect(keyReference(decodeStoredBlob(blob("arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")))).toEqual({
      kind: "awskms", arn: "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", partition: "aws-us-gov", region: "us-gov-west-1", account: "111122223333", keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
  });

  it("gcpckms: the crypto key and the version that wrapped it", () => {
    const name = "projects/p-1/locations/europe-west1/keyRings/vault/cryptoKeys/unseal/cryptoKeyVersions/7";
    expect(keyReference(decodeStoredBlob(blob(name)))).toEqual({ kind: "gcpckms", name, cryptoKey: "projects/p-1/locations/europe-west1/keyRings/vault/cryptoKeys/unseal", project: "p-1", location: "europe-west1", keyRing: "vault", key: "unseal", version: 7 });
  });

  it("transit: the version from the ciphertext (the key name is not recorded); anything else: unknown", () => {
    expect(keyReference(decodeStoredBlob(blob("v4", Buffer.from("vault:v4:AAAA"))))).toEqual({ kind: "transit", version: 4, keyId: "v4" });
    expect(keyReference(decodeStoredBlob(blob("some-hsm-label")))).toEqual({ kind: "unknown", keyId: "some-hsm-label" });
  });

  it("seal HA: one reference per slot", () => {
    const proto = Buffer.concat([bytesField(2, blob("v2", Buffer.from("vault:v2:AAAA"))), bytesField(2, blob("projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"))]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(proto.length);
    expect(keyReferences(decodeStoredBlob(Buffer.concat([Buffer.from("multiwrapvalue:1"), len, proto]))).map((r) => r.kind)).toEqual(["transit", "gcpckms"]);
  });
});
