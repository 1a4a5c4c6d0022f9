// The seal-wrapped envelope Vault/OpenBao store outside the barrier: go-kms-wrapping's BlobInfo protobuf
// (openbao/go-kms-wrapping types.proto: BlobInfo {bytes ciphertext = 1; bytes iv = 2; KeyInfo key_info = 5},
// KeyInfo {uint64 mechanism = 1; string key_id = 3; bytes wrapped_key = 5; ...}), written by
// openbao vault/seal.go writeStoredKeys (proto.Marshal of the wrapper's Encrypt output) at
// core/hsm/barrier-unseal-keys, and by vault/seal_autoseal.go SetRecoveryKey at core/recovery-key.
// For awskms, key_id is the KeyId of KMS's Encrypt answer, the key ARN (go-kms-wrapping
// wrappers/awskms/awskms.go Encrypt: KeyInfo{Mechanism: AwsKmsEnvelopeAesGcmEncrypt, KeyId: *output.KeyId,
// WrappedKey: output.CiphertextBlob}). For transit, key_id is the wrapper's key_id_prefix plus the version of the
// ciphertext ("v1"), and the ciphertext is transit's own "vault:v<N>:<base64>" (go-kms-wrapping wrappers/transit
// v2.6.0 transit.go Encrypt): the key name is not recorded, only the version.
// A hand-written reader of those few fields: no codegen, unknown fields skipped.
//
// HashiCorp Vault writes the same BlobInfo (hashicorp/go-kms-wrapping github.com.hashicorp.go.kms.wrapping.v2.types.proto:
// the same field numbers 1, 2, 5 and KeyInfo 1, 3, 5) at the same paths. Since 1.15 (seal HA) it goes through
// vault/seal_util.go SealWrapStoredBarrierKeys -> MarshalSealWrappedValue: one seal still marshals the bare BlobInfo;
// more than one (`seal` stanzas with priority, Enterprise) marshals a SealWrappedValue instead
// (vault/seal/seal_wrapper.go marshal): the 16-byte header "multiwrapvalue:1", a 4-byte big-endian length, then
// MultiWrapValue {uint64 generation = 1; repeated BlobInfo slots = 2} (vault/seal/multi_wrap_value.proto).
// decodeStoredBlob reads both; OpenBao 2.6 has no seal HA and only ever writes the bare BlobInfo.

export interface KeyInfo {
  mechanism?: bigint;
  keyId?: string;
  wrappedKeyBytes?: number;
}

export interface BlobInfo {
  ciphertextBytes: number;
  ivBytes: number;
  keyInfo?: KeyInfo;
  /** Transit's ciphertext prefix and version ("vault:v3" -> 3), when the ciphertext is a transit ciphertext. */
  transitVersion?: number;
  /** Vault 1.15+ seal HA: the other slots of a MultiWrapValue (the first slot is this blob itself). */
  slots?: BlobInfo[];
  /** Vault 1.15+ seal HA: the MultiWrapValue's generation. */
  generation?: bigint;
}

export class BlobFormatError extends Error {
  constructor(reason: string) {
    super(`not a seal-wrapped BlobInfo (${reason})`);
    this.name = "BlobFormatError";
  }
}

interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (i >= buf.length) throw new BlobFormatError("a varint runs past the end");
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new BlobFormatError("a varint longer than 10 bytes");
  };
  while (i < buf.length) {
    const tag = varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new BlobFormatError("field number 0");
    switch (wire) {
      case 0:
        yield { no, wire, varint: varint() };
        break;
      case 1:
        if (i + 8 > buf.length) throw new BlobFormatError("a fixed64 runs past the end");
        i += 8;
        yield { no, wire };
        break;
      case 2: {
        const len = varint();
        if (len > BigInt(buf.length - i)) throw new BlobFormatError(`a ${len}-byte field runs past the end`);
        yield { no, wire, bytes: buf.subarray(i, i + Number(len)) };
        i += Number(len);
        break;
      }
      case 5:
        if (i + 4 > buf.length) throw new BlobFormatError("a fixed32 runs past the end");
        i += 4;
        yield { no, wire };
        break;
      default:
        throw new BlobFormatError(`wire type ${wire}`);
    }
  }
}

function decodeKeyInfo(buf: Uint8Array): KeyInfo {
  const out: KeyInfo = {};
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 0) out.mechanism = f.varint;
    else if (f.no === 3 && f.wire === 2) out.keyId = new TextDecoder("utf-8", { fatal: true }).decode(f.bytes);
    else if (f.no === 5 && f.wire === 2) out.wrappedKeyBytes = f.bytes!.length;
  }
  return out;
}

/** Decodes the envelope; never keeps the ciphertext or wrapped key, only their sizes. */
export function decodeBlobInfo(buf: Uint8Array): BlobInfo {
  const out: BlobInfo = { ciphertextBytes: 0, ivBytes: 0 };
  let seen = false;
  try {
    for (const f of fields(buf)) {
      if (f.no === 1 && f.wire === 2) (out.ciphertextBytes = f.bytes!.length), (seen = true);
      else if (f.no === 2 && f.wire === 2) out.ivBytes = f.bytes!.length;
      else if (f.no === 5 && f.wire === 2) (out.keyInfo = decodeKeyInfo(f.bytes!)), (seen = true);
      if (f.no === 1 && f.wire === 2) {
        // "vault:v12:" at most 24 bytes in; only the prefix is looked at, never kept.
        const m = /^[a-z]+:v(\d{1,9}):/.exec(Buffer.from(f.bytes!.subarray(0, 24)).toString("latin1"));
        if (m) out.transitVersion = Number(m[1]);
      }
    }
  } catch (err) {
    if (err instanceof TypeError) throw new BlobFormatError("the key id is not UTF-8");
    throw err;
  }
  if (!seen || out.ciphertextBytes === 0) throw new BlobFormatError("no ciphertext");
  return out;
}

/** Vault 1.15+ SealWrappedValue header (vault/seal/seal_wrapper.go sealWrappedValueHeader). */
const MULTI_WRAP_HEADER = Buffer.from("multiwrapvalue:1", "latin1");

/**
 * A stored seal-wrapped entry as either server writes it: a bare BlobInfo (OpenBao; Vault with one seal), or
 * Vault's SealWrappedValue (header, length, MultiWrapValue). For a MultiWrapValue the first slot is returned,
 * with every slot in `slots` and the `generation`.
 */
export function decodeStoredBlob(buf: Uint8Array): BlobInfo {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 16 && b.subarray(0, 16).equals(MULTI_WRAP_HEADER)) {
    if (b.length < 20) throw new BlobFormatError("a seal-HA value without its length");
    const len = b.readUInt32BE(16);
    if (len !== b.length - 20) throw new BlobFormatError(`a seal-HA value announcing ${len} bytes, holding ${b.length - 20}`);
    const slots: BlobInfo[] = [];
    let generation: bigint | undefined;
    try {
      for (const f of fields(b.subarray(20))) {
        if (f.no === 1 && f.wire === 0) generation = f.varint;
        else if (f.no === 2 && f.wire === 2) slots.push(decodeBlobInfo(f.bytes!));
      }
    } catch (err) {
      if (err instanceof TypeError) throw new BlobFormatError("the key id is not UTF-8");
      throw err;
    }
    if (slots.length === 0) throw new BlobFormatError("a seal-HA value with no slots");
    return { ...slots[0]!, slots, generation };
  }
  return decodeBlobInfo(buf);
}

/**
 * For --decrypt-stored only: a copy of the KMS-wrapped data key (KeyInfo.wrapped_key, the ciphertext KMS Decrypt
 * takes) of the blob, or of the seal-HA slot, whose key_id is `keyId`. Ciphertext, not key material; the caller
 * drops it after the one Decrypt.
 */
export function wrappedKeyOf(buf: Uint8Array, keyId: string): Buffer | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const blobs: Uint8Array[] = [];
  if (b.length >= 20 && b.subarray(0, 16).equals(MULTI_WRAP_HEADER)) {
    for (const f of fields(b.subarray(20))) if (f.no === 2 && f.wire === 2) blobs.push(f.bytes!);
  } else blobs.push(b);
  for (const blob of blobs) {
    for (const f of fields(blob)) {
      if (f.no !== 5 || f.wire !== 2) continue;
      let id: string | undefined;
      let wrapped: Uint8Array | undefined;
      for (const k of fields(f.bytes!)) {
        if (k.no === 3 && k.wire === 2) id = Buffer.from(k.bytes!).toString("utf8");
        else if (k.no === 5 && k.wire === 2) wrapped = k.bytes;
      }
      if (id === keyId && wrapped && wrapped.length > 0) return Buffer.from(wrapped);
    }
  }
  return undefined;
}
