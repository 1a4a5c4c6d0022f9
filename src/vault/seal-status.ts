// The two unauthenticated status endpoints of a running Vault and what their answers mean.
// Shapes: https://developer.hashicorp.com/vault/api-docs/system/seal-status and
// https://developer.hashicorp.com/vault/api-docs/system/health (default status codes).

/** GET /v1/sys/seal-status (fields this tool reads; Vault sends more). */
export interface SealStatus {
  /** "shamir", "awskms", "gcpckms", ... or "multiseal" when several seals are configured (seal HA). */
  type: string;
  initialized: boolean;
  sealed: boolean;
  /** Threshold and shares of the unseal (Shamir) or recovery keys. */
  t: number;
  n: number;
  /** Key shares entered so far towards the threshold. */
  progress: number;
  /** True while a seal migration is pending (Vault was started with a migration config and is sealed or not yet active). */
  migration: boolean;
  /** True with auto-unseal: the keys from `vault operator init` are recovery keys. */
  recovery_seal: boolean;
  recovery_seal_type?: string;
  storage_type?: string;
  version?: string;
  cluster_name?: string;
}

/** GET /v1/sys/health: the status code carries the state; the body repeats part of it. */
export interface HealthReply {
  statusCode: number;
  body: {
    initialized?: boolean;
    sealed?: boolean;
    standby?: boolean;
    performance_standby?: boolean;
    version?: string;
    [key: string]: unknown;
  };
}

export interface HealthCodeMeaning {
  /** Short name used as the finding code. */
  state: string;
  meaning: string;
  /** Whether this node state is a problem for a node that should serve requests. */
  status: "pass" | "warn" | "fail";
}

/** Default /v1/sys/health codes (https://developer.hashicorp.com/vault/api-docs/system/health). */
export const HEALTH_CODES: Record<number, HealthCodeMeaning> = {
  200: { state: "active", meaning: "initialized, unsealed and active", status: "pass" },
  429: { state: "standby", meaning: "unsealed standby (forwards requests to the active node)", status: "pass" },
  472: { state: "dr-secondary", meaning: "disaster-recovery replication secondary", status: "pass" },
  473: { state: "performance-standby", meaning: "performance standby (Vault Enterprise)", status: "pass" },
  474: { state: "standby-unhealthy", meaning: "standby that cannot connect to the active node", status: "warn" },
  501: { state: "not-initialized", meaning: "not initialized", status: "warn" },
  503: { state: "sealed", meaning: "sealed", status: "fail" },
  530: { state: "removed", meaning: "removed from the raft cluster", status: "fail" },
};

/** Facts published by vault.status for the other vault.* checks. */
export interface VaultStatusFacts {
  addr: string;
  sealStatus: SealStatus;
  health: HealthReply;
}

/** Seal types that auto-unseal (everything but Shamir). */
export function isAutoUnseal(type: string): boolean {
  return type !== "shamir" && type !== "";
}

declare module "../facts.js" {
  interface FactMap {
    "vault.status": VaultStatusFacts;
  }
}
