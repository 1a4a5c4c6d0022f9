// PKCS#11 v2.40 numbers the probe and the checks use (OASIS pkcs11t.h), and what OpenBao makes of them
// (github:openbao/go-kms-wrapping wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0).
// Pure data: no binding is loaded here.

export const CKO = { PUBLIC_KEY: 2, PRIVATE_KEY: 3, SECRET_KEY: 4 } as const;
export const CKK = { RSA: 0x0, AES: 0x1f } as const;

export const CKA = {
  CLASS: 0x0, TOKEN: 0x1, PRIVATE: 0x2, LABEL: 0x3, KEY_TYPE: 0x100, ID: 0x102, SENSITIVE: 0x103,
  ENCRYPT: 0x104, DECRYPT: 0x105, WRAP: 0x106, UNWRAP: 0x107, MODULUS: 0x120, MODULUS_BITS: 0x121,
  PUBLIC_EXPONENT: 0x122, VALUE_LEN: 0x161, EXTRACTABLE: 0x162,
} as const;

export const CKM = {
  RSA_PKCS: 0x1, RSA_PKCS_OAEP: 0x9, AES_CBC: 0x1082, AES_CBC_PAD: 0x1085, AES_GCM: 0x1087,
  SHA_1: 0x220, SHA256: 0x250, SHA224: 0x255, SHA384: 0x260, SHA512: 0x270,
} as const;

export const CKG_MGF1 = { SHA1: 1, SHA256: 2, SHA384: 3, SHA512: 4, SHA224: 5 } as const;
export const CKZ_DATA_SPECIFIED = 1;

/** CK_SESSION flags, CK_USER_TYPE. */
export const CKF_SERIAL_SESSION = 0x4;
export const CKF_RW_SESSION = 0x2;
export const CKU_USER = 1;

/** CK_TOKEN_INFO.flags. */
export const TOKEN_FLAGS = {
  RNG: 0x1, WRITE_PROTECTED: 0x2, LOGIN_REQUIRED: 0x4, USER_PIN_INITIALIZED: 0x8, TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000, USER_PIN_FINAL_TRY: 0x20000, USER_PIN_LOCKED: 0x40000, USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;

/** CK_MECHANISM_INFO.flags. */
export const MECH_FLAGS = { HW: 0x1, ENCRYPT: 0x100, DECRYPT: 0x200, WRAP: 0x20000, UNWRAP: 0x40000 } as const;

/** The token flags that are set, by name, for reports. */
export function tokenFlagNames(flags: number): string[] {
  return Object.entries(TOKEN_FLAGS).filter(([, bit]) => (flags & bit) !== 0).map(([name]) => `CKF_${name}`);
}

export function mechanismName(mech: number): string {
  const entry = Object.entries(CKM).find(([, v]) => v === mech);
  return entry ? `CKM_${entry[0]}` : `0x${mech.toString(16).padStart(4, "0")}`;
}

export function keyTypeName(t: number | undefined): string {
  if (t === undefined) return "unknown";
  return t === CKK.AES ? "CKK_AES" : t === CKK.RSA ? "CKK_RSA" : `0x${t.toString(16)}`;
}

export function classNameOf(c: number | undefined): string {
  return c === CKO.SECRET_KEY ? "CKO_SECRET_KEY" : c === CKO.PRIVATE_KEY ? "CKO_PRIVATE_KEY" : c === CKO.PUBLIC_KEY ? "CKO_PUBLIC_KEY" : `class ${c}`;
}

/** OpenBao's hashes for rsa_oaep_hash (RsaHashMechFromString): hash mechanism, MGF1, Node's name. */
export const OAEP_HASHES: Record<string, { hash: number; mgf: number; node: string }> = {
  sha1: { hash: CKM.SHA_1, mgf: CKG_MGF1.SHA1, node: "sha1" },
  sha224: { hash: CKM.SHA224, mgf: CKG_MGF1.SHA224, node: "sha224" },
  sha256: { hash: CKM.SHA256, mgf: CKG_MGF1.SHA256, node: "sha256" },
  sha384: { hash: CKM.SHA384, mgf: CKG_MGF1.SHA384, node: "sha384" },
  sha512: { hash: CKM.SHA512, mgf: CKG_MGF1.SHA512, node: "sha512" },
};

export type MechanismParse =
  | { ok: true; mechanism: number | undefined }
  | { ok: false; reason: "deprecated" | "unsupported"; text: string };

/**
 * OpenBao's MechanismFromString: CKM_AES_GCM / AES_GCM / CKM_RSA_PKCS_OAEP / RSA_PKCS_OAEP, or a decimal or 0x number
 * that is one of those two; CKM_RSA_PKCS and CKM_AES_CBC(_PAD) are refused as deprecated. Empty = by key type.
 */
export function parseMechanism(text: string | undefined): MechanismParse {
  if (text === undefined || text === "") return { ok: true, mechanism: undefined };
  switch (text) {
    case "CKM_RSA_PKCS_OAEP": case "RSA_PKCS_OAEP": return { ok: true, mechanism: CKM.RSA_PKCS_OAEP };
    case "CKM_AES_GCM": case "AES_GCM": return { ok: true, mechanism: CKM.AES_GCM };
    case "CKM_RSA_PKCS": case "RSA_PKCS": case "CKM_AES_CBC_PAD": case "AES_CBC_PAD": return { ok: false, reason: "deprecated", text };
  }
  const lower = text.toLowerCase();
  const n = lower.startsWith("0x") ? (/^[0-9a-f]{1,8}$/.test(lower.slice(2)) ? Number.parseInt(lower.slice(2), 16) : NaN) : (/^\d{1,10}$/.test(lower) ? Number(lower) : NaN);
  if (n === CKM.AES_GCM || n === CKM.RSA_PKCS_OAEP) return { ok: true, mechanism: n };
  if (n === CKM.RSA_PKCS || n === CKM.AES_CBC || n === CKM.AES_CBC_PAD) return { ok: false, reason: "deprecated", text };
  return { ok: false, reason: "unsupported", text };
}

/** The key type a mechanism needs (GetKeyTypeFromMech) and the mechanism a key type gets by default (DefaultMechanism). */
export function keyTypeFor(mech: number): number | undefined {
  return mech === CKM.AES_GCM ? CKK.AES : mech === CKM.RSA_PKCS_OAEP ? CKK.RSA : undefined;
}
export function defaultMechanism(keyType: number | undefined): number | undefined {
  return keyType === CKK.AES ? CKM.AES_GCM : keyType === CKK.RSA ? CKM.RSA_PKCS_OAEP : undefined;
}

/** A slot number: decimal, or hex with 0x (OpenBao's numberAutoParse), at most 64 bits (a CK_SLOT_ID). */
export function parseSlot(text: string): bigint | undefined {
  const lower = text.toLowerCase();
  const ok = lower.startsWith("0x") ? /^0x[0-9a-f]{1,16}$/.test(lower) : /^\d{1,20}$/.test(lower);
  if (!ok) return undefined;
  const n = BigInt(lower);
  return n <= 0xffffffffffffffffn ? n : undefined;
}

/** OpenBao parses the slot with numberAutoParse(slot, 32): above 32 bits it stops with "Invalid slot number". */
export const OPENBAO_MAX_SLOT = 0xffffffffn;

/** OpenBao's key_id: 0x prefix dropped, then hex-decoded; a value that is not hex is not searched on (FindKey). */
export function keyIdBytes(keyId: string | undefined): string | undefined {
  if (!keyId) return undefined;
  const hex = keyId.startsWith("0x") ? keyId.slice(2) : keyId;
  return /^(?:[0-9a-fA-F]{2})+$/.test(hex) ? hex.toLowerCase() : undefined;
}
