// Which key OpenBao would use, from the objects that match key_label / key_id: its FindKey in
// github:openbao/go-kms-wrapping wrappers/pkcs11/pkcs11_client.go (tag wrappers/pkcs11/v2.6.0). It asks
// C_FindObjects for at most 2 objects: one secret key, one private key (its public key then found by CKA_ID),
// or a private + public pair; anything else stops the seal. With 3 or more matches OpenBao sees only the first
// two the token returns, so which key it uses depends on the token: the doctor, which looks at up to 16, fails that.
import { CKO, keyTypeFor } from "./constants.js";
import type { KeyObject } from "./probe-types.js";

export type KeyResolution =
  | { ok: true; kind: "secret"; key: KeyObject }
  | { ok: true; kind: "pair"; key: KeyObject; public: KeyObject }
  | { ok: false; reason: "none" | "ambiguous" | "not-a-pair" | "wrong-class" | "no-public" | "type-mismatch"; vaultError: string };

export function resolveKey(objects: readonly KeyObject[], publicMatch?: KeyObject): KeyResolution {
  if (objects.length === 0) return { ok: false, reason: "none", vaultError: "no key found" };
  if (objects.length > 2) return { ok: false, reason: "ambiguous", vaultError: "could not find unique secret key or key pair" };
  if (objects.length === 1) {
    const [k] = objects as [KeyObject];
    if (k.class === CKO.SECRET_KEY) return { ok: true, kind: "secret", key: k };
    if (k.class === CKO.PRIVATE_KEY) {
      if (!publicMatch) return { ok: false, reason: "no-public", vaultError: "found private key but failed to find matching public key: no public key found with matching CKA_ID" };
      return { ok: true, kind: "pair", key: k, public: publicMatch };
    }
    return { ok: false, reason: "wrong-class", vaultError: `found a single object of class ${k.class}, expected a secret key or private key` };
  }
  const [a, b] = objects as [KeyObject, KeyObject];
  const priv = a.class === CKO.PRIVATE_KEY && b.class === CKO.PUBLIC_KEY ? a : b.class === CKO.PRIVATE_KEY && a.class === CKO.PUBLIC_KEY ? b : undefined;
  if (!priv) return { ok: false, reason: "not-a-pair", vaultError: `found two objects, expected public/private key pair (class 2 and 3) but got class ${a.class} and ${b.class}` };
  const pub = priv === a ? b : a;
  if (priv.keyType !== pub.keyType) return { ok: false, reason: "type-mismatch", vaultError: `private key type does not match public key type (${priv.keyType} vs ${pub.keyType})` };
  return { ok: true, kind: "pair", key: priv, public: pub };
}

/** The mechanism's key type against the key's: OpenBao does not check it before C_EncryptInit (CKR_KEY_TYPE_INCONSISTENT). */
export function mechanismFits(mechanism: number, key: KeyObject): boolean {
  return keyTypeFor(mechanism) === key.keyType;
}
