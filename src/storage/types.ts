// What a run read from Vault's storage (src/storage/stored-seal.ts), as the checks see it (RunOptions.storage).
import type { BlobInfo } from "./blob-info.js";

export interface StorageLocation {
  type: "raft" | "file";
  path: string;
  /** Where the location came from: `file:line`-less config file name, or the flag. */
  from: string;
}

export interface StoredSeal {
  location: StorageLocation;
  /** The file actually read (vault.db, or the folder of the file backend). */
  file: string;
  /** core/seal-config's `type`: the seal that wrapped the stored keys; undefined when not initialised. */
  sealType?: string;
  barrierKeys?: BlobInfo;
  recoveryKey?: BlobInfo;
  /** Why the storage named by the config could not be looked at (missing folder, no permission): nothing was read. */
  unreadable?: string;
  /** The BoltDB transaction read (raft). */
  txid?: string;
}
