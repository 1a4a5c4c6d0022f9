// The facts the transit checks publish for one another (declaration merging into FactMap, src/facts.ts).
import type { TransitResponse } from "./client.js";
import type { TransitSettings } from "./settings.js";

export interface TransitAddressFacts {
  settings: TransitSettings;
  /** The unauthenticated sys/health answer that proved the address and TLS. */
  health: TransitResponse;
}

export interface TransitTokenFacts {
  policies: string[];
  /** Seconds left; 0 = never expires. */
  ttl: number;
  renewable: boolean;
  periodic: boolean;
  orphan: boolean;
  expireTime?: string;
}

export interface TransitPermissionFacts {
  encrypt: string[];
  decrypt: string[];
  /** Whether an encrypt could create a missing key (create, root or sudo-less root on the encrypt path). */
  encryptCanCreate: boolean;
}

export interface TransitKeyFacts {
  exists: boolean;
  type?: string;
  latestVersion?: number;
  minDecryptionVersion?: number;
  deletionAllowed?: boolean;
}

declare module "../facts.js" {
  interface FactMap {
    "transit.address": TransitAddressFacts;
    "transit.token": TransitTokenFacts;
    "transit.permissions": TransitPermissionFacts;
    "transit.key": TransitKeyFacts;
  }
}
