// Root causes: the part of the report that answers "exactly why, and which command fixes it". Every problem
// finding names a cause (its own `cause`, or the default its check and code imply); findings of one cause on one
// target are one root cause with one fix; one ordered table ranks the causes, most specific first, so the first
// root cause is where to start (a context condition explains the denials next to it, a disabled key explains the
// failed round trip). Every format renders this list; no reporter ranks anything itself.
import { STATUS_RANK, type Finding, type Fix, type Status } from "../model.js";
import type { TargetResult } from "../runner.js";

export interface RootCause {
  /** Stable cause id (src/troubleshoot/causes.ts). */
  cause: string;
  title: string;
  /** What this run saw: the message of the finding that shows the cause best. */
  explanation: string;
  /** The target (config or seal name) the cause was found on. */
  target: string;
  /** Worst status among its findings. */
  status: Status;
  /** Only advisory checks (or advisory causes) saw it: it does not stop an unseal. */
  advisory: boolean;
  /** Ids of the checks whose findings this cause explains, lead first. */
  checks: string[];
  /** The complete, ordered fix. */
  fix: Fix;
  /** The other findings this cause explains (symptoms), for compact rendering. */
  symptoms: { check: string; status: Status; code: string; message: string; extraCommands?: string[] }[];
}

/**
 * Most specific first. A cause higher in this table explains failures of the causes below it when both are
 * seen on one target: a pod on its node's role is why KMS denies; a wrong region is why the key is not found.
 */
export const CAUSE_ORDER: readonly string[] = [
  "seal_config_error", "encryption_context_mismatch", "workload_identity_missing", "clock_skew", "wrong_region",
  "key_destroyed", "key_pending_deletion", "key_disabled", "key_wrong_usage_or_spec", "api_disabled", "web_identity_failed", "metadata_unreachable",
  "insufficient_scopes", "no_credentials", "wrong_tenant", "federated_identity_mismatch", "invalid_credentials", "expired_credentials", "assume_role_denied", "managed_identity_error",
  "key_not_found", "network_denied", "permission_denied", "tls_error", "network_unreachable", "throttled", "kms_internal_error", "unseal_decrypt_failed",
  "seal_migration_error", "vault_not_initialized", "recovery_vs_unseal_keys_confusion", "unknown",
  "rotation_disabled", "deletion_protection_off",
];

/** Causes that lead even when only a warning shows them: they explain the failures next to them. */
const LEADS_AS_WARNING = new Set(["workload_identity_missing", "encryption_context_mismatch"]);
/**
 * A cause on the left explains findings of the causes on its right on the same target: they are shown as its
 * symptoms, and their own fixes are dropped (granting the key to a node role is not the fix for a missing IRSA
 * annotation; a key in another region is why the alias is "not found").
 */
export const EXPLAINS: Record<string, readonly string[]> = {
  workload_identity_missing: ["permission_denied"],
  encryption_context_mismatch: ["permission_denied"],
  wrong_region: ["key_not_found"],
  web_identity_failed: ["expired_credentials", "invalid_credentials", "assume_role_denied"],
  key_pending_deletion: ["key_disabled", "unseal_decrypt_failed"],
  key_destroyed: ["key_pending_deletion", "key_disabled", "unseal_decrypt_failed"],
  clock_skew: ["invalid_credentials", "expired_credentials"],
};

/** Causes that never stop an unseal. */
const ADVISORY_CAUSES = new Set(["rotation_disabled", "deletion_protection_off"]);

export const CAUSE_TITLES: Record<string, string> = {
  no_credentials: "Vault finds no AWS/Google credentials",
  expired_credentials: "The credentials have expired",
  invalid_credentials: "The credentials are not valid",
  clock_skew: "The clock is off: signed requests are rejected",
  web_identity_failed: "The web identity (IRSA / Workload Identity) exchange fails",
  assume_role_denied: "The role cannot be assumed",
  metadata_unreachable: "The instance metadata service cannot be reached",
  insufficient_scopes: "The instance's OAuth scopes do not allow Cloud KMS",
  permission_denied: "Vault's identity is not allowed to use the key",
  encryption_context_mismatch: "A policy requires an encryption context Vault never sends",
  key_not_found: "The key is not found",
  wrong_region: "The key lives in another region / location",
  key_disabled: "The key is disabled",
  key_destroyed: "The key version is destroyed: what it wrapped cannot be decrypted",
  key_pending_deletion: "The key is scheduled for deletion",
  key_wrong_usage_or_spec: "The key cannot encrypt/decrypt (wrong usage or spec)",
  api_disabled: "The Cloud KMS API is disabled",
  managed_identity_error: "The managed identity fails",
  throttled: "KMS throttles the requests",
  kms_internal_error: "KMS answers with an internal error",
  network_unreachable: "The KMS endpoint cannot be reached",
  tls_error: "TLS to the endpoint fails",
  seal_config_error: "The seal configuration is wrong",
  seal_migration_error: "The seal migration is set up wrong",
  vault_not_initialized: "Vault is not initialized",
  recovery_vs_unseal_keys_confusion: "Recovery keys are not unseal keys",
  unseal_decrypt_failed: "The key cannot decrypt what it encrypted",
  unknown: "A problem without a known cause",
  workload_identity_missing: "The Vault pod has no identity of its own: it uses the node's role",
  rotation_disabled: "Automatic key rotation is off",
  deletion_protection_off: "Nothing guards the key against deletion",
  wrong_tenant: "The credential's tenant is wrong (or not the vault's)",
  federated_identity_mismatch: "The federated credential does not match the workload's token",
  network_denied: "The vault's firewall refuses the caller's address",
};

/** The cause a finding without its own `cause` stands for, by `check:code`, then by code, then by check. */
const DEFAULT_CAUSE: Record<string, string> = {
  "awskms.rotation:disabled": "rotation_disabled",
  "gcpckms.rotation:off": "rotation_disabled",
  "awskms.deletion-protection:unprotected": "deletion_protection_off",
  "config.ignored-keys": "seal_config_error",
  "config.required-keys": "seal_config_error",
  "config.seal-layout": "seal_config_error",
  "config.env-overrides": "seal_config_error",
  "budget-exceeded": "network_unreachable",
  "check-crashed": "unknown",
  "no-findings": "unknown",
};

export function causeOf(checkId: string, f: Finding): string | undefined {
  return f.cause ?? DEFAULT_CAUSE[`${checkId}:${f.code}`] ?? DEFAULT_CAUSE[f.code] ?? DEFAULT_CAUSE[checkId];
}

const rankOf = (cause: string) => { const i = CAUSE_ORDER.indexOf(cause); return i === -1 ? CAUSE_ORDER.indexOf("unknown") : i; };
const problem = (s: Status) => s === "fail" || s === "error" || s === "warn";

interface Seen { check: string; advisory: boolean; order: number; finding: Finding }

function leadOf(items: Seen[]): Seen {
  const score = (x: Seen) => (STATUS_RANK[x.finding.status] * 10) + (x.finding.fix?.commands.length ? 5 : 0);
  return items.reduce((best, x) => (score(x) > score(best) || (score(x) === score(best) && x.order < best.order) ? x : best));
}

/** A fix for a cause whose findings brought none with a command: the command that finds the unknown value. */
function fallbackFix(cause: string, lead: Seen): Fix {
  const base = lead.finding.fix;
  if (cause === "network_unreachable") {
    return {
      summary: base?.summary ?? "Make the endpoint reachable from where Vault runs (DNS, routes, firewall, proxy variables, VPC endpoint), or give the check more time.",
      commands: [
        "env | grep -iE '^(https?_proxy|no_proxy)=|_ENDPOINT|METADATA_HOST'   # the proxy, endpoint and metadata variables Vault inherits",
        "vault-kms-doctor --call-timeout 10s --timeout 60s   # again, with more time per call",
      ],
      docs: base?.docs,
    };
  }
  return base ?? { summary: "No automatic fix is known for this cause; the findings below say what was seen.", commands: [] };
}

/** Orders problems into root causes; empty when nothing is wrong. */
export function buildRootCauses(targets: TargetResult[]): RootCause[] {
  const out: (RootCause & { tier: number; rank: number; targetIndex: number })[] = [];
  targets.forEach((t, targetIndex) => {
    const groups = new Map<string, Seen[]>();
    const orphans: Seen[] = [];
    let order = 0;
    for (const c of t.checks) {
      for (const f of c.findings) {
        order++;
        if (!problem(f.status)) continue;
        const seen = { check: c.id, advisory: c.advisory, order, finding: f };
        const cause = causeOf(c.id, f);
        if (cause === undefined) { orphans.push(seen); continue; }
        if (!groups.has(cause)) groups.set(cause, []);
        groups.get(cause)!.push(seen);
      }
    }
    if (groups.size === 0 && orphans.length > 0) { groups.set("unknown", orphans.splice(0)); }
    const folded = new Set<Seen>();
    for (const [cause, explained] of Object.entries(EXPLAINS)) {
      const host = groups.get(cause);
      if (!host) continue;
      for (const other of explained) {
        const items = groups.get(other);
        if (!items) continue;
        for (const x of items) { folded.add(x); host.push(x); }
        groups.delete(other);
      }
    }
    const ranked = [...groups.entries()].map(([cause, items]) => {
      const blocking = items.some((x) => (x.finding.status === "fail" || x.finding.status === "error") && !x.advisory);
      const leads = LEADS_AS_WARNING.has(cause) && [...groups.values()].flat().some((x) => x.finding.status !== "warn");
      const advisory = ADVISORY_CAUSES.has(cause) || items.every((x) => x.advisory);
      const tier = advisory ? 2 : blocking || leads ? 0 : 1;
      return { cause, items, tier, advisory };
    }).sort((a, b) => a.tier - b.tier || rankOf(a.cause) - rankOf(b.cause));
    // Findings that name no cause (a simulation that could not run because the key is unknown) are symptoms of the lead.
    if (ranked.length > 0) ranked[0]!.items.push(...orphans);
    for (const { cause, items, tier, advisory } of ranked) {
      const own = items.filter((x) => !folded.has(x));
      const lead = leadOf(own.length ? own : items);
      const fix = lead.finding.fix?.commands.length ? lead.finding.fix : (own.find((x) => x.finding.fix?.commands.length)?.finding.fix ?? fallbackFix(cause, lead));
      const known = new Set(fix.commands);
      const symptoms = items.filter((x) => x !== lead).sort((a, b) => a.order - b.order).map((x) => {
        const extra = folded.has(x) ? [] : (x.finding.fix?.commands ?? []).filter((cmd) => !known.has(cmd));
        for (const cmd of extra) known.add(cmd);
        return { check: x.check, status: x.finding.status, code: x.finding.code, message: x.finding.message, ...(extra.length ? { extraCommands: extra } : {}) };
      });
      const checks = [...new Set([lead.check, ...items.map((x) => x.check)])];
      out.push({
        cause, title: CAUSE_TITLES[cause] ?? cause, explanation: lead.finding.message, target: t.id,
        status: items.reduce<Status>((w, x) => (STATUS_RANK[x.finding.status] > STATUS_RANK[w] ? x.finding.status : w), "warn"),
        advisory, checks, fix: { summary: fix.summary, commands: fix.commands, ...(fix.docs ? { docs: fix.docs } : {}) }, symptoms,
        tier, rank: rankOf(cause), targetIndex,
      });
    }
  });
  out.sort((a, b) => a.tier - b.tier || a.rank - b.rank || a.targetIndex - b.targetIndex);
  return out.map(({ tier: _t, rank: _r, targetIndex: _i, ...rc }) => rc);
}
