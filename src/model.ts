// The shared vocabulary of the engine: findings, fixes and check outcomes.
// Reporters, the runner, checks and the troubleshooting table all speak these types.

/** `error` means "could not check" (no permission, timeout): it must never read as pass. */
export type Status = "pass" | "warn" | "fail" | "skip" | "error";

/** Severity order used to pick the worst status of a group and for `--fail-on`. */
export const STATUS_RANK: Record<Status, number> = { skip: 0, pass: 1, warn: 2, error: 3, fail: 4 };

/** Worst status of a set: all-skip is skip; otherwise skips do not count. Nothing at all is an error (nothing was checked). */
export function worstStatus(statuses: Status[]): Status {
  if (statuses.length === 0) return "error";
  return statuses.reduce<Status>((worst, s) => (STATUS_RANK[s] > STATUS_RANK[worst] ? s : worst), "skip");
}

/** A remediation: what to do, as copy-pasteable commands filled with the user's real values. */
export interface Fix {
  summary: string;
  commands: string[];
  docs?: string;
}

/** A value a finding carries as data: what JSON, JUnit and SARIF can hold as it is. */
export type FindingValue = string | number | boolean | string[] | null;

/** One observation made by a check. `code` is stable (public contract), the message is prose. */
export interface Finding {
  status: Status;
  code: string;
  message: string;
  /** The values the message was built from (its template's `{name}` arguments): data for tests and tools, not prose. */
  args?: Record<string, FindingValue>;
  /** Evidence, already redacted; rendered as `key: value` lines. */
  details?: Record<string, FindingValue>;
  fix?: Fix;
  /** Stable troubleshooting cause id (see src/troubleshoot) when the finding comes from an error. */
  cause?: string;
  /**
   * Set on an `error` when the check could not look only because the identity running the doctor lacks this
   * read permission, one Vault does not need (e.g. iam:SimulatePrincipalPolicy). The finding stays `error` (fail
   * closed), but it does not decide whether Vault unseals: `check` and `gate` exit on what Vault needs.
   */
  doctorPermission?: string;
  /** Where the value the finding is about was set, when a config file set it (SARIF and GitHub annotations point there). */
  location?: SourceLocation;
}

/** A place in a config file: the `file:line` provenance of a value (src/config/seal-config.ts). */
export interface SourceLocation { file: string; line?: number }

