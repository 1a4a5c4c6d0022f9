// What Vault/OpenBao keep outside the barrier for auto-unseal, read from storage without Vault:
//   core/seal-config               JSON SealConfig {"type": "awskms", ...}  (openbao v2.6.0 vault/seal.go barrierSealConfigPath)
//   core/hsm/barrier-unseal-keys   BlobInfo protobuf of the JSON root keys (vault/seal.go StoredBarrierKeysPath, writeStoredKeys)
//   core/recovery-key              BlobInfo protobuf of the recovery key (vault/seal.go recoveryKeyPath, vault/seal_autoseal.go SetRecoveryKey)
// (root namespace: metaPrefix is empty). Where they sit:
//   raft: `<path>/vault.db`, a BoltDB file, bucket "data", key = the path above, value = the raw entry
//         (openbao physical/raft/fsm.go: dataBucketName, Put stores entry.Value under entry.Key; raft.go: "vault.db").
//   file: `<path>/core/hsm/_barrier-unseal-keys`: the last path element prefixed "_", holding JSON
//         {"Key": ..., "Value": base64} (openbao sdk/physical/file/file.go expandPath and Put's fileEntry).
// Read-only: nothing is written or locked; see src/storage/bolt.ts for reading while Vault runs.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/load.js";
import { parseHcl } from "../config/hcl.js";
import { readBoundedText } from "../fs/read-bounded.js";
import { BlobFormatError, decodeStoredBlob, wrappedKeyOf, type BlobInfo } from "./blob-info.js";
import { boltGet, BoltFormatError } from "./bolt.js";
import type { StorageLocation, StoredSeal } from "./types.js";

export type { StorageLocation, StoredSeal };

export const SEAL_CONFIG_PATH = "core/seal-config";
export const BARRIER_KEYS_PATH = "core/hsm/barrier-unseal-keys";
export const RECOVERY_KEY_PATH = "core/recovery-key";

/** Storage that is there but cannot be read as Vault storage: exit 2 naming the file, as for a bad config. */
export class StorageReadError extends ConfigError {
  constructor(readonly file: string, readonly reason: string, readonly fsCode?: string) {
    super(`${file}: cannot read Vault storage: ${reason}`);
    this.name = "StorageReadError";
  }
}

const MAX_ENTRY_FILE = 4 * 1024 * 1024;

/** The `storage "raft"|"file" { path = ... }` stanza of the config files (the last one wins, as Vault merges). */
export function storageFromConfig(files: string[], env: NodeJS.ProcessEnv = {}): StorageLocation | undefined {
  let out: StorageLocation | undefined;
  for (const file of files) {
    const parsed = parseHcl(readBoundedText(file, "config"), file);
    const blocks = Array.isArray(parsed.storage) ? parsed.storage : parsed.storage ? [parsed.storage] : [];
    for (const block of blocks) {
      if (!block || typeof block !== "object") continue;
      for (const [type, bodies] of Object.entries(block as Record<string, unknown>)) {
        const body = (Array.isArray(bodies) ? bodies[0] : bodies) as Record<string, unknown> | undefined;
        const t = type.toLowerCase();
        if (t !== "raft" && t !== "file") {
          out = undefined;
          continue;
        }
        const path = body && typeof body.path === "string" ? body.path : undefined;
        out = path ? { type: t, path, from: file } : undefined;
      }
    }
  }
  // The raft path from the environment wins over the stanza: BAO_RAFT_PATH (openbao v2.6.0 physical/raft/raft.go
  // EnvVaultRaftPath), VAULT_RAFT_PATH in Vault.
  const envPath = env.BAO_RAFT_PATH || env.VAULT_RAFT_PATH;
  if (out?.type === "raft" && envPath) out = { type: "raft", path: envPath, from: env.BAO_RAFT_PATH ? "BAO_RAFT_PATH" : "VAULT_RAFT_PATH" };
  return out;
}

/** `--storage-path DIR`: raft when DIR holds vault.db, else the file backend. */
export function storageFromFlag(path: string): StorageLocation {
  return { type: existsSync(join(path, "vault.db")) ? "raft" : "file", path, from: "--storage-path" };
}

function blob(file: string, key: string, value: Buffer | undefined): BlobInfo | undefined {
  if (!value) return undefined;
  try {
    return decodeStoredBlob(value);
  } catch (err) {
    if (err instanceof BlobFormatError) throw new StorageReadError(file, `${key}: ${err.message}`);
    throw err;
  }
}

function sealTypeOf(file: string, value: Buffer | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value.toString("utf8")) as { type?: unknown };
    return typeof parsed.type === "string" ? parsed.type : undefined;
  } catch {
    throw new StorageReadError(file, `${SEAL_CONFIG_PATH} is not JSON`);
  }
}

function fsError(file: string, err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  const reason = e.code === "ENOENT" ? "no such file or directory" : e.code === "EACCES" ? "permission denied (run as the user Vault runs as, or pass --storage-path to a copy)" : String(e.message ?? err).split("\n")[0]!;
  throw new StorageReadError(file, reason, e.code);
}

function readRaft(location: StorageLocation): StoredSeal {
  const file = join(location.path, "vault.db");
  try {
    if (!statSync(location.path).isDirectory()) throw new StorageReadError(location.path, "not a directory");
  } catch (err) {
    if (err instanceof StorageReadError) throw err;
    fsError(location.path, err);
  }
  // OpenBao creates vault.db when it first starts (physical/raft/fsm.go NewFSM): none yet is storage never initialised.
  if (!existsSync(file)) return { location, file };
  const get = (key: string) => {
    try {
      return boltGet(file, ["data"], key);
    } catch (err) {
      if (err instanceof BoltFormatError) throw new StorageReadError(file, err.reason);
      return fsError(file, err);
    }
  };
  const config = get(SEAL_CONFIG_PATH);
  const keys = get(BARRIER_KEYS_PATH);
  const recovery = get(RECOVERY_KEY_PATH);
  return {
    location, file, txid: String(config.txid),
    sealType: sealTypeOf(file, config.value),
    barrierKeys: blob(file, BARRIER_KEYS_PATH, keys.value),
    recoveryKey: blob(file, RECOVERY_KEY_PATH, recovery.value),
  };
}

function fileEntry(location: StorageLocation, key: string): Buffer | undefined {
  const slash = key.lastIndexOf("/");
  const file = join(location.path, key.slice(0, slash), `_${key.slice(slash + 1)}`);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    if (statSync(file).size > MAX_ENTRY_FILE) throw new StorageReadError(file, `larger than ${MAX_ENTRY_FILE} bytes`);
    text = readBoundedText(file, "config");
  } catch (err) {
    if (err instanceof StorageReadError) throw err;
    return fsError(file, err);
  }
  try {
    const parsed = JSON.parse(text) as { Value?: unknown };
    if (typeof parsed.Value !== "string") throw new Error("no Value");
    return Buffer.from(parsed.Value, "base64");
  } catch {
    throw new StorageReadError(file, "not a file-backend entry (JSON with a base64 Value)");
  }
}

function readFileBackend(location: StorageLocation): StoredSeal {
  const entry = (key: string) => fileEntry(location, key);
  try {
    if (!statSync(location.path).isDirectory()) throw new StorageReadError(location.path, "not a directory");
  } catch (err) {
    if (err instanceof StorageReadError) throw err;
    fsError(location.path, err);
  }
  const file = location.path;
  return {
    location, file,
    sealType: sealTypeOf(join(file, "core/_seal-config"), entry(SEAL_CONFIG_PATH)),
    barrierKeys: blob(join(file, "core/hsm/_barrier-unseal-keys"), BARRIER_KEYS_PATH, entry(BARRIER_KEYS_PATH)),
    recoveryKey: blob(join(file, "core/_recovery-key"), RECOVERY_KEY_PATH, entry(RECOVERY_KEY_PATH)),
  };
}

/**
 * --decrypt-stored only: reads core/hsm/barrier-unseal-keys again and returns the KMS-wrapped data key recorded for
 * `keyId` (undefined when the entry changed in between, e.g. a running Vault re-wrapped it). Read-only, as above.
 */
export function readWrappedKey(stored: StoredSeal, keyId: string): Buffer | undefined {
  const raw = stored.location.type === "raft" ? boltGet(stored.file, ["data"], BARRIER_KEYS_PATH).value : fileEntry(stored.location, BARRIER_KEYS_PATH);
  return raw ? wrappedKeyOf(raw, keyId) : undefined;
}

/** Reads the seal-wrapped entries; StorageReadError (exit 2) when the storage is there but unreadable. */
export function readStoredSeal(location: StorageLocation): StoredSeal {
  return location.type === "raft" ? readRaft(location) : readFileBackend(location);
}

/**
 * The storage a run reads: `--storage-path`, else the config's storage stanza; undefined when there is none.
 * A storage named by the config that is not on this machine or not readable by this user (the doctor often runs
 * elsewhere than Vault) is not read, and says why; with --storage-path that is a usage error (exit 2). Storage that is
 * there but not Vault storage (truncated, foreign) is exit 2 either way.
 */
export function storageForRun(configFiles: string[], flag: string | undefined, env: NodeJS.ProcessEnv): StoredSeal | undefined {
  const location = flag ? storageFromFlag(flag) : storageFromConfig(configFiles, env);
  if (!location) return undefined;
  try {
    return readStoredSeal(location);
  } catch (err) {
    if (flag || !(err instanceof StorageReadError) || !err.fsCode) throw err;
    if (err.fsCode === "ENOENT") return undefined;
    return { location, file: err.file, unreadable: err.reason };
  }
}
