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

/** One observation made by a check. `code` is stable (public contract), the message is prose. */
export interface Finding {
  status: Status;
  code: string;
  message: string;
  /** Evidence, already redacted; rendered as `key: value` lines. */
  details?: Record<string, string | number | boolean | string[] | null>;
  fix?: Fix;
  /** Stable troubleshooting cause id (see src/troubleshoot) when the finding comes from an error. */
  cause?: string;
  /** Where the value the finding is about was set, when a config file set it (SARIF and GitHub annotations point there). */
  location?: SourceLocation;
}

/** A place in a config file: the `file:line` provenance of a value (src/config/seal-config.ts). */
export interface SourceLocation { file: string; line?: number }

export type SealType = "awskms" | "gcpckms" | "azurekeyvault" | "transit" | "pkcs11" | "ocikms" | "alicloudkms" | string;
