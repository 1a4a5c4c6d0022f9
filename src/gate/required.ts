// Which checks the gate waits for. By default each check's own `blocksStart` rule: what decides whether Vault
// starts (the config as Vault reads it, credentials, the key's state, the round trip Vault does). Advisory checks
// (rotation, deletion protection) run only with --fail-on warn, and then count.
import { STATUS_RANK } from "../model.js";
import type { AnyCheck } from "../check.js";
import { decidesVerdict, type RunReport } from "../report/report.js";

/** What one gate attempt runs: explicit ids/globs, or a rule over the checks. */
export interface GateSelection {
  only?: string[];
  select?: (def: AnyCheck) => boolean;
}

export function gateSelection(opts: { require?: string[]; failOn: "fail" | "warn"; vaultAddrFlag: boolean }): GateSelection {
  if (opts.require && opts.require.length > 0) return { only: [...new Set(opts.require)] };
  return {
    select: (def) => {
      // The live Vault only counts when asked for by flag: in an init container VAULT_ADDR names the Vault that
      // has not started yet.
      if (def.when === "vault-addr") return opts.vaultAddrFlag;
      if (def.blocksStart) return true;
      // With --fail-on warn, every check of a seal type joins (the engine's config/migrate checks do not).
      return opts.failOn === "warn" && def.scope === "seal" && !def.id.startsWith("config.") && !def.id.startsWith("migrate.");
    },
  };
}

export interface BlockingCheck {
  target: string;
  check: string;
  status: string;
  code: string;
  cause?: string;
  message: string;
}

/** Checks that keep the gate closed, in report order (mirrors exitCodeFor with ignoreAdvisory). */
export function blockingChecks(report: RunReport, failOn: "fail" | "warn"): BlockingCheck[] {
  const threshold = failOn === "warn" ? STATUS_RANK.warn : STATUS_RANK.error;
  const out: BlockingCheck[] = [];
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (c.advisory && failOn !== "warn") continue;
      if (!decidesVerdict(c) && failOn !== "warn") continue;
      if (STATUS_RANK[c.status] < threshold) continue;
      const f = c.findings.find((x) => x.status === c.status) ?? c.findings[0];
      out.push({ target: t.id, check: c.id, status: c.status, code: f?.code ?? "", cause: f?.cause, message: f?.message ?? "" });
    }
  }
  return out;
}

/** What the next attempt runs: everything that did not pass (skipped dependents included, so they run once their prerequisite recovers). */
export function checksToRetry(report: RunReport, failOn: "fail" | "warn"): string[] {
  const ids = new Set<string>();
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (c.status === "pass") continue;
      if (failOn !== "warn" && (c.status === "warn" || c.advisory)) continue;
      ids.add(c.id);
    }
  }
  return [...ids];
}
