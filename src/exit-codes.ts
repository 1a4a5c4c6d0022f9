// Stable exit codes (public contract, documented in the README).
export const EXIT_OK = 0;
/** Findings at or above the --fail-on level (an `error` finding counts as fail). */
export const EXIT_FINDINGS = 1;
/** Usage error or unreadable config. */
export const EXIT_USAGE = 2;
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** A usage problem: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
