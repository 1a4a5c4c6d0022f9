// The seal-wrapped envelope Vault/OpenBao store outside the barrier: go-kms-wrapping's BlobInfo protobuf
// (openbao/go-kms-wrapping types.proto: BlobInfo {bytes ciphertext = 1; bytes iv = 2; KeyInfo key_info = 5},
// KeyInfo {uint64 mechanism = 1; string key_id = 3; bytes wrapped_key = 5; ...}), written by
// openbao vault/seal.go writeStoredKeys (proto.Marshal of the wrapper's Encrypt output) at
// core/hsm/barrier-unseal-keys, and by vault/seal_autoseal.go SetRecoveryKey at core/recovery-key.
// For awskms, key_id is the KeyId of KMS's Encrypt answer, the key ARN (go-kms-wrapping
// wrappers/awskms/awskms.go Encrypt: KeyInfo{Mechanism: AwsKmsEnvelopeAesGcmEncrypt, KeyId: *output.KeyId,
// WrappedKey: output.CiphertextBlob}). A hand-written reader of those few fields: no codegen, unknown fields skipped.

export interface KeyInfo {
  mechanism?: bigint;
  keyId?: string;
  wrappedKeyBytes?: number;
}

export interface BlobInfo {
  ciphertextBytes: number;
  ivBytes: number;
  keyInfo?: KeyInfo;
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
    }
  } catch (err) {
    if (err instanceof TypeError) throw new BlobFormatError("the key id is not UTF-8");
    throw err;
  }
  if (!seen || out.ciphertextBytes === 0) throw new BlobFormatError("no ciphertext");
  return out;
}
