// The PKCS#11 probe: a child process (src/pkcs11/probe.ts starts it) so that a vendor library that hangs in
// C_Initialize or crashes the process cannot hang or crash the doctor; the parent kills it at its deadline.
// Reads one ProbeInput as JSON on stdin, writes one ProbeOutput as JSON on stdout.
//
// It does what OpenBao's pkcs11 wrapper does at startup and on each Encrypt/Decrypt (github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0), with these differences, all to stay read-only
// and gentle with the token:
// - the session is read-only (CKF_SERIAL_SESSION) unless force_rw_session is set: OpenBao opens
//   CKF_SERIAL_SESSION|CKF_RW_SESSION (GetSession), which encrypt/decrypt do not need;
// - C_Login is called at most once, and not at all when the token says the PIN is locked or on its final try;
// - it never creates, changes or deletes an object (no C_GenerateKey, C_CreateObject, C_SetAttributeValue,
//   C_DestroyObject), whatever generate_key says.
// The probe's 32 random bytes and the PIN never leave this process.
import { constants as cryptoConstants, createPublicKey, publicEncrypt, randomBytes, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import {
  CKA, CKF_RW_SESSION, CKF_SERIAL_SESSION, CKM, CKO, CKU_USER, CKZ_DATA_SPECIFIED, OAEP_HASHES, TOKEN_FLAGS, defaultMechanism,
} from "./constants.js";
import { resolveKey } from "./key-rules.js";
import type { KeyObject, LibraryResult, MechanismView, ProbeError, ProbeInput, ProbeOutput, RoundTripResult, SessionResult, SlotView } from "./probe-types.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Pkcs11 = any;
type Handle = Buffer;

const GCM_NONCE = 12; // CryptoAesGcmNonceSize
const GCM_TAG = 16; // CryptoAesGcmOverhead (tag bits 128)
const MAX_KEYS = 16;

function toError(err: unknown, fn?: string): ProbeError {
  const e = err as { message?: string; code?: number; method?: string; name?: string };
  const message = String(e?.message ?? err).split("\n")[0]!.slice(0, 500);
  const ckr = /^CKR_[A-Z0-9_]+$/.test(message) ? message : /\b(CKR_[A-Z0-9_]+)\b/.exec(message)?.[1];
  return { ckr, code: typeof e?.code === "number" && e.code !== 0 ? e.code : undefined, message, fn: e?.method || fn };
}

function handleText(h: Handle): string {
  return h.length >= 8 ? h.readBigUInt64LE(0).toString() : h.length >= 4 ? String(h.readUInt32LE(0)) : h.toString("hex");
}

function handleOf(text: string, width: number): Handle {
  const b = Buffer.alloc(width);
  if (width >= 8) b.writeBigUInt64LE(BigInt(text)); else b.writeUInt32LE(Number(text));
  return b;
}

function ulong(b: Buffer | undefined): number | undefined {
  if (!b || b.length === 0) return undefined;
  if (b.length >= 8) return Number(b.readBigUInt64LE(0));
  if (b.length >= 4) return b.readUInt32LE(0);
  return b[0];
}

const trim = (s: unknown) => String(s ?? "").replace(/[\s\0]+$/, "");

function library(p: Pkcs11, input: ProbeInput, width: { n: number }): LibraryResult {
  try {
    p.load(input.lib);
  } catch (err) {
    return { ok: false, step: "load", error: toError(err, "load") };
  }
  try {
    p.C_Initialize();
  } catch (err) {
    return { ok: false, step: "initialize", error: toError(err, "C_Initialize") };
  }
  let info: LibraryResult["info"];
  try {
    const i = p.C_GetInfo();
    info = {
      cryptokiVersion: `${i.cryptokiVersion.major}.${i.cryptokiVersion.minor}`,
      manufacturer: trim(i.manufacturerID),
      description: trim(i.libraryDescription),
      libraryVersion: `${i.libraryVersion.major}.${i.libraryVersion.minor}`,
    };
  } catch (err) {
    return { ok: false, step: "info", error: toError(err, "C_GetInfo") };
  }
  let handles: Handle[];
  try {
    handles = p.C_GetSlotList(false);
  } catch (err) {
    return { ok: false, step: "slots", info, error: toError(err, "C_GetSlotList") };
  }
  if (handles[0]) width.n = handles[0].length;
  const slots: SlotView[] = [];
  for (const h of handles.slice(0, 64)) {
    const view: SlotView = { slot: handleText(h), description: "", tokenPresent: false };
    try {
      const si = p.C_GetSlotInfo(h);
      view.description = trim(si.slotDescription);
      view.tokenPresent = (si.flags & 0x1) !== 0; // CKF_TOKEN_PRESENT
    } catch (err) {
      view.tokenError = toError(err, "C_GetSlotInfo");
    }
    if (view.tokenPresent) {
      try {
        const t = p.C_GetTokenInfo(h);
        view.token = { label: trim(t.label), manufacturer: trim(t.manufacturerID), model: trim(t.model), serial: trim(t.serialNumber), flags: t.flags };
      } catch (err) {
        view.tokenError = toError(err, "C_GetTokenInfo");
      }
    }
    slots.push(view);
  }
  const result: LibraryResult = { ok: true, info, slots };
  // GetSlotForLabel: the slot setting wins; else the first present token whose label is token_label.
  if (input.slot !== undefined) {
    const s = slots.find((x) => x.slot === input.slot);
    if (!s) result.selectError = "slot-not-found";
    else if (!s.tokenPresent) result.selectError = "token-not-present";
    else result.selected = { slot: s.slot, by: "slot" };
  } else if (input.tokenLabel !== undefined) {
    const s = slots.find((x) => x.tokenPresent && x.token?.label === input.tokenLabel);
    if (!s) result.selectError = "token-not-found";
    else result.selected = { slot: s.slot, by: "token_label" };
  }
  if (result.selected) {
    const slot = handleOf(result.selected.slot, width.n);
    try {
      const list: number[] = p.C_GetMechanismList(slot);
      const info: MechanismView[] = [];
      for (const m of [CKM.AES_GCM, CKM.RSA_PKCS_OAEP, ...(input.mechanism !== undefined ? [input.mechanism] : [])]) {
        if (!list.includes(m) || info.some((x) => x.mechanism === m)) continue;
        try {
          const mi = p.C_GetMechanismInfo(slot, m);
          info.push({ mechanism: m, minKeySize: mi.minKeySize, maxKeySize: mi.maxKeySize, flags: mi.flags });
        } catch { /* listed but no info: the mechanism check reports it as listed only */ }
      }
      result.mechanisms = { list: list.slice(0, 1000), info };
    } catch (err) {
      result.mechanisms = { list: [], info: [], error: toError(err, "C_GetMechanismList") };
    }
  }
  return result;
}

function attr(p: Pkcs11, session: Handle, obj: Handle, type: number): Buffer | undefined {
  try {
    const [a] = p.C_GetAttributeValue(session, obj, [{ type }]);
    return a?.value as Buffer | undefined;
  } catch {
    return undefined;
  }
}

function describeObject(p: Pkcs11, session: Handle, obj: Handle): KeyObject {
  const o: KeyObject = { handle: handleText(obj) };
  try {
    const [c] = p.C_GetAttributeValue(session, obj, [{ type: CKA.CLASS }]);
    o.class = ulong(c.value);
  } catch (err) {
    o.attributeError = toError(err, "C_GetAttributeValue");
    return o;
  }
  // A data object or certificate has no CKA_KEY_TYPE (CKR_ATTRIBUTE_TYPE_INVALID): its class says enough.
  o.keyType = ulong(attr(p, session, obj, CKA.KEY_TYPE));
  const bool = (type: number) => { const v = attr(p, session, obj, type); return v && v.length > 0 ? v[0] !== 0 : undefined; };
  const label = attr(p, session, obj, CKA.LABEL);
  if (label) o.label = label.toString("utf8");
  const id = attr(p, session, obj, CKA.ID);
  if (id) o.id = id.toString("hex");
  if (o.class === CKO.SECRET_KEY || o.class === CKO.PUBLIC_KEY) { o.encrypt = bool(CKA.ENCRYPT); o.wrap = bool(CKA.WRAP); }
  if (o.class === CKO.SECRET_KEY || o.class === CKO.PRIVATE_KEY) {
    o.decrypt = bool(CKA.DECRYPT); o.unwrap = bool(CKA.UNWRAP); o.extractable = bool(CKA.EXTRACTABLE); o.sensitive = bool(CKA.SENSITIVE);
  }
  if (o.class === CKO.SECRET_KEY) o.valueLen = ulong(attr(p, session, obj, CKA.VALUE_LEN));
  else o.modulusBits = ulong(attr(p, session, obj, CKA.MODULUS_BITS)) ?? (() => { const m = attr(p, session, obj, CKA.MODULUS); return m ? m.length * 8 : undefined; })();
  return o;
}

function find(p: Pkcs11, session: Handle, template: { type: number; value: unknown }[], max: number): Handle[] {
  p.C_FindObjectsInit(session, template);
  try {
    return p.C_FindObjects(session, max);
  } finally {
    p.C_FindObjectsFinal(session);
  }
}

function sessionStage(p: Pkcs11, input: ProbeInput, lib: LibraryResult, width: number): SessionResult {
  const out: SessionResult = {};
  const slot = handleOf(lib.selected!.slot, width);
  const token = lib.slots?.find((s) => s.slot === lib.selected!.slot)?.token;
  const flagsBefore = token?.flags ?? 0;
  const readWrite = input.forceRwSession;
  let session: Handle;
  try {
    session = p.C_OpenSession(slot, CKF_SERIAL_SESSION | (readWrite ? CKF_RW_SESSION : 0));
    out.session = { ok: true, readWrite };
  } catch (err) {
    out.session = { ok: false, readWrite, error: toError(err, "C_OpenSession") };
    return out;
  }
  try {
    // Exactly one login attempt, and none when the token is locked or one wrong PIN from locking.
    const refused = input.pin === undefined ? "no-pin"
      : (flagsBefore & TOKEN_FLAGS.USER_PIN_LOCKED) ? "locked"
        : (flagsBefore & TOKEN_FLAGS.USER_PIN_FINAL_TRY) ? "final-try"
          : token && !(flagsBefore & TOKEN_FLAGS.USER_PIN_INITIALIZED) ? "pin-not-initialized" : undefined;
    if (refused) {
      out.login = { attempted: false, refused, flagsBefore };
      return out;
    }
    try {
      p.C_Login(session, CKU_USER, input.pin);
      out.login = { attempted: true, ok: true, flagsBefore };
    } catch (err) {
      const e = toError(err, "C_Login");
      // Already logged in (another session of this process cannot exist here; some tokens log in per slot): fine.
      out.login = { attempted: true, ok: e.ckr === "CKR_USER_ALREADY_LOGGED_IN", error: e.ckr === "CKR_USER_ALREADY_LOGGED_IN" ? undefined : e, flagsBefore };
    }
    try { out.login.flagsAfter = p.C_GetTokenInfo(slot).flags; } catch { /* flags after are informative only */ }
    if (!out.login.ok) return out;

    // FindKey: CKA_ID (hex key_id) and CKA_LABEL (key_label) together.
    const template: { type: number; value: unknown }[] = [];
    if (input.keyId) template.push({ type: CKA.ID, value: Buffer.from(input.keyId, "hex") });
    if (input.keyLabel) template.push({ type: CKA.LABEL, value: input.keyLabel });
    let handles: Handle[];
    try {
      handles = find(p, session, template, MAX_KEYS + 1);
    } catch (err) {
      out.key = { objects: [], truncated: false, error: toError(err, "C_FindObjects") };
      return out;
    }
    const objects = handles.slice(0, MAX_KEYS).map((h) => describeObject(p, session, h));
    out.key = { objects, truncated: handles.length > MAX_KEYS };
    // FindMatchingPublicKey: a lone private key's public key is the CKO_PUBLIC_KEY with its CKA_ID.
    if (objects.length === 1 && objects[0]!.class === CKO.PRIVATE_KEY) {
      const id = objects[0]!.id;
      if (!id) out.key.publicError = "private key has no CKA_ID, cannot find matching public key";
      else {
        try {
          const [pub] = find(p, session, [{ type: CKA.CLASS, value: CKO.PUBLIC_KEY }, { type: CKA.ID, value: Buffer.from(id, "hex") }], 1);
          if (pub) out.key.publicMatch = describeObject(p, session, pub);
        } catch (err) {
          out.key.publicError = toError(err, "C_FindObjects").message;
        }
      }
    }
    out.roundTrip = roundTrip(p, session, input, objects, out.key.publicMatch, handles);
    return out;
  } finally {
    try { if (out.login?.ok && out.login.attempted) p.C_Logout(session); } catch { /* closing anyway */ }
    try { p.C_CloseSession(session); } catch { /* finalize follows */ }
  }
}

function roundTrip(p: Pkcs11, session: Handle, input: ProbeInput, objects: KeyObject[], publicMatch: KeyObject | undefined, handles: Handle[]): RoundTripResult {
  const resolved = resolveKey(objects, publicMatch);
  if (!resolved.ok) return { attempted: false, why: resolved.vaultError };
  const mechanism = input.mechanism ?? defaultMechanism(resolved.key.keyType);
  if (mechanism === undefined) return { attempted: false, why: "unsupported key type" };
  const handleFor = (o: KeyObject) => handles.find((h) => handleText(h) === o.handle) ?? Buffer.from(handleOf(o.handle, handles[0]?.length ?? 8));
  const probe = randomBytes(32);
  const started = performance.now();
  const result: RoundTripResult = { attempted: true, mechanism };
  const done = (r: Partial<RoundTripResult>): RoundTripResult => ({ ...result, ...r, ms: Math.round(performance.now() - started) });
  const key = handleFor(resolved.key);

  if (mechanism === CKM.AES_GCM) {
    // EncryptAesGcm: a 12-byte nonce from C_GenerateRandom on the token, no AAD, 128-bit tag; an HSM that
    // ignores the nonce and appends its own (CloudHSM) returns nonce-size more bytes, taken from the end.
    let nonce: Buffer;
    try {
      nonce = Buffer.from(p.C_GenerateRandom(session, Buffer.alloc(GCM_NONCE)));
    } catch (err) {
      return done({ ok: false, step: "random", error: toError(err, "C_GenerateRandom") });
    }
    const params = (iv: Buffer) => ({ mechanism: CKM.AES_GCM, parameter: { type: BINDING.CK_PARAMS_AES_GCM_v240, iv, ivBits: iv.length * 8, tagBits: GCM_TAG * 8 } });
    let ct: Buffer;
    try {
      p.C_EncryptInit(session, params(nonce), key);
      ct = Buffer.from(p.C_Encrypt(session, probe, Buffer.alloc(probe.length + GCM_TAG + GCM_NONCE + 64)));
    } catch (err) {
      return done({ ok: false, step: "encrypt", error: toError(err, "C_Encrypt") });
    }
    let iv: RoundTripResult["iv"] = "token-rng";
    if (ct.length === GCM_NONCE + probe.length + GCM_TAG) {
      nonce = ct.subarray(ct.length - GCM_NONCE);
      ct = ct.subarray(0, ct.length - GCM_NONCE);
      iv = "hsm-appended";
    }
    let plain: Buffer;
    try {
      p.C_DecryptInit(session, params(nonce), key);
      plain = Buffer.from(p.C_Decrypt(session, ct, Buffer.alloc(ct.length + 64)));
    } catch (err) {
      return done({ ok: false, step: "decrypt", error: toError(err, "C_Decrypt"), iv });
    }
    const same = plain.length === probe.length && timingSafeEqual(plain, probe);
    return done(same ? { ok: true, iv } : { ok: false, step: "compare", iv });
  }

  if (mechanism === CKM.RSA_PKCS_OAEP) {
    if (resolved.kind !== "pair") return { attempted: false, why: "an RSA-OAEP seal needs a private + public key pair" };
    const hash = OAEP_HASHES[input.oaepHash];
    if (!hash) return { attempted: false, why: `unsupported mechanism: ${input.oaepHash}` };
    const oaep = { mechanism: CKM.RSA_PKCS_OAEP, parameter: { type: BINDING.CK_PARAMS_RSA_OAEP, hashAlg: hash.hash, mgf: hash.mgf, source: CKZ_DATA_SPECIFIED } };
    const software = (): Buffer => {
      // ExportRSAPublicKey + rsa.EncryptOAEP(hash, rand, pub, plaintext, nil label).
      const pubHandle = handleFor(resolved.public);
      const [n, e] = p.C_GetAttributeValue(session, pubHandle, [{ type: CKA.MODULUS }, { type: CKA.PUBLIC_EXPONENT }]);
      const b64 = (b: Buffer) => Buffer.from(b).toString("base64url");
      const pub = createPublicKey({ key: { kty: "RSA", n: b64(n.value), e: b64(e.value) }, format: "jwk" });
      return publicEncrypt({ key: pub, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash.node }, probe);
    };
    const hsm = (): Buffer => {
      p.C_EncryptInit(session, oaep, handleFor(resolved.public));
      return Buffer.from(p.C_Encrypt(session, probe, Buffer.alloc(1024)));
    };
    const decrypt = (ct: Buffer): Buffer => {
      p.C_DecryptInit(session, oaep, key);
      return Buffer.from(p.C_Decrypt(session, ct, Buffer.alloc(ct.length + 64)));
    };
    const trip = (path: "software" | "hsm"): { ok: boolean; step?: RoundTripResult["step"]; error?: ProbeError } => {
      let ct: Buffer;
      try {
        ct = path === "software" ? software() : hsm();
      } catch (err) {
        return { ok: false, step: path === "software" ? "export-public" : "encrypt", error: toError(err, path === "software" ? "C_GetAttributeValue" : "C_Encrypt") };
      }
      let plain: Buffer;
      try {
        plain = decrypt(ct);
      } catch (err) {
        return { ok: false, step: "decrypt", error: toError(err, "C_Decrypt") };
      }
      return plain.length === probe.length && timingSafeEqual(plain, probe) ? { ok: true } : { ok: false, step: "compare" };
    };
    // OpenBao (v2.4+) encrypts in software unless disable_software_encryption; Vault Enterprise on the HSM unless rsa_encrypt_local.
    const primary: "software" | "hsm" = input.disableSoftwareEncryption ? "hsm" : "software";
    const first = trip(primary);
    const other = trip(primary === "software" ? "hsm" : "software");
    return done({ ...first, encryptedIn: primary, otherPath: { encryptedIn: primary === "software" ? "hsm" : "software", ok: other.ok, error: other.error } });
  }
  return { attempted: false, why: `unsupported mechanism: ${mechanism}` };
}

let BINDING: Record<string, any> = {};

function run(input: ProbeInput): ProbeOutput {
  const req = createRequire(import.meta.url);
  try {
    BINDING = req(input.binding);
  } catch (err) {
    return { library: { ok: false, step: "load", error: { ...toError(err, "require"), fn: "require" } } };
  }
  const p: Pkcs11 = new BINDING.PKCS11();
  const width = { n: 8 };
  const lib = library(p, input, width);
  const output: ProbeOutput = { library: lib };
  try {
    if (input.stage === "session" && lib.ok && lib.selected) output.session = sessionStage(p, input, lib, width.n);
  } finally {
    if (lib.step !== "load") {
      try { p.C_Finalize(); } catch { /* the process ends anyway */ }
    }
  }
  return output;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 65_536) { process.stdout.write(JSON.stringify({ library: { ok: false, error: { message: "probe input too large" } } })); return; }
    chunks.push(chunk as Buffer);
  }
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ProbeInput;
  let output: ProbeOutput;
  try {
    output = run(input);
  } catch (err) {
    output = { library: { ok: false, error: toError(err) } };
  }
  process.stdout.write(JSON.stringify(output));
}

await main();
process.exit(0);
