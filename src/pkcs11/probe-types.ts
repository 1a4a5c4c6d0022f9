// What the parent asks the PKCS#11 probe (a child process, src/pkcs11/probe-child.ts) and what it answers.
// Plain JSON both ways: handles are decimal strings, ids and bytes hex. The PIN goes in on stdin and never out.

export type ProbeStage = "library" | "session";

export interface ProbeInput {
  stage: ProbeStage;
  /** Absolute path of the pkcs11js package's entry, resolved by the parent. */
  binding: string;
  lib: string;
  slot?: string;
  tokenLabel?: string;
  /** Only for stage "session". */
  pin?: string;
  keyLabel?: string;
  /** Hex, without 0x. */
  keyId?: string;
  /** Mechanism from the config (undefined: by key type). */
  mechanism?: number;
  oaepHash: string;
  disableSoftwareEncryption: boolean;
  forceRwSession: boolean;
}

export interface ProbeError {
  /** CKR_* name when the library returned one. */
  ckr?: string;
  code?: number;
  message: string;
  /** The PKCS#11 function that failed. */
  fn?: string;
}

export interface SlotView {
  slot: string;
  description: string;
  tokenPresent: boolean;
  token?: { label: string; manufacturer: string; model: string; serial: string; flags: number };
  tokenError?: ProbeError;
}

export interface MechanismView {
  mechanism: number;
  minKeySize: number;
  maxKeySize: number;
  flags: number;
}

export interface KeyObject {
  handle: string;
  class?: number;
  keyType?: number;
  label?: string;
  id?: string;
  encrypt?: boolean;
  decrypt?: boolean;
  wrap?: boolean;
  unwrap?: boolean;
  /** AES: CKA_VALUE_LEN in bytes. */
  valueLen?: number;
  /** RSA: CKA_MODULUS_BITS. */
  modulusBits?: number;
  extractable?: boolean;
  sensitive?: boolean;
  attributeError?: ProbeError;
}

export interface LibraryResult {
  ok: boolean;
  step?: "load" | "initialize" | "info" | "slots";
  error?: ProbeError;
  info?: { cryptokiVersion: string; manufacturer: string; description: string; libraryVersion: string };
  slots?: SlotView[];
  /** The slot Vault would use, if any. */
  selected?: { slot: string; by: "slot" | "token_label" };
  selectError?: "slot-not-found" | "token-not-found" | "token-not-present";
  mechanisms?: { list: number[]; info: MechanismView[]; error?: ProbeError };
}

export interface SessionResult {
  session?: { ok: boolean; readWrite: boolean; error?: ProbeError };
  login?: { attempted: boolean; refused?: "locked" | "final-try" | "pin-not-initialized" | "no-pin"; ok?: boolean; error?: ProbeError; flagsBefore: number; flagsAfter?: number };
  key?: { objects: KeyObject[]; truncated: boolean; publicMatch?: KeyObject; publicError?: string; error?: ProbeError };
  roundTrip?: RoundTripResult;
}

export interface RoundTripResult {
  attempted: boolean;
  why?: string;
  mechanism?: number;
  ok?: boolean;
  step?: "random" | "export-public" | "encrypt" | "decrypt" | "compare";
  error?: ProbeError;
  /** How the AES-GCM nonce was made: C_GenerateRandom on the token, or returned appended by the HSM. */
  iv?: "token-rng" | "hsm-appended";
  /** RSA: encrypted in software with the exported public key (OpenBao's default) or on the HSM. */
  encryptedIn?: "software" | "hsm";
  /** RSA: the other encryption path, for the other product's default. */
  otherPath?: { encryptedIn: "software" | "hsm"; ok: boolean; error?: ProbeError };
  ms?: number;
}

export interface ProbeOutput {
  library: LibraryResult;
  session?: SessionResult;
}
