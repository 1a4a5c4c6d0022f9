// End to end, per emulator scenario: the real CLI, the real AWS SDK, real HTTP and SigV4 against the local
// emulator. Each row: the statuses of the awskms checks, the finding codes that name the problem, and the
// scenario's real values inside the fix commands.
import { describe, expect, it } from "vitest";
import { runAgainst, check, statuses } from "../support/emulated-run.js";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CONFIG = ["-c", "fixtures/configs/awskms.hcl", "--only", "awskms.*"];
const CONTEXT_CONFIG = ["-c", "fixtures/configs/awskms-kms-context.hcl", "--only", "awskms.*"];

const ALL_PASS = { "region-key": "pass", credentials: "pass", identity: "pass", "key-state": "pass", rotation: "pass", "round-trip": "pass", "round-trip-context": "skip", "deletion-protection": "pass" };

interface Row {
  scenario: string;
  args?: string[];
  env?: Record<string, string>;
  exit: number;
  statuses: Partial<Record<keyof typeof ALL_PASS, string>>;
  /** check -> finding code expected among its findings */
  codes?: Record<string, string>;
  cause?: Record<string, string>;
  /** strings that must appear in the fix commands of the named check */
  fixContains?: Record<string, string[]>;
}

const rows: Row[] = [
  { scenario: "healthy", exit: 0, statuses: ALL_PASS },
  { scenario: "irsa-healthy", exit: 0, statuses: { ...ALL_PASS, "deletion-protection": "warn" }, codes: { "awskms.credentials": "irsa-token" } },
  { scenario: "imds-healthy", exit: 0, statuses: { credentials: "pass", "round-trip": "pass" }, codes: { "awskms.credentials": "imds-ok" } },
  { scenario: "pod-identity-healthy", exit: 0, statuses: { credentials: "pass", "round-trip": "pass" } },
  { scenario: "rotation-off", exit: 0, statuses: { rotation: "warn", "round-trip": "pass" }, fixContains: { "awskms.rotation": [`aws kms enable-key-rotation --key-id ${KEY_ARN}`] } },
  {
    scenario: "context-required", args: CONTEXT_CONFIG, exit: 1,
    statuses: { "key-state": "fail", "round-trip": "fail", "round-trip-context": "fail" },
    codes: { "awskms.round-trip-context": "policy-requires-context", "awskms.round-trip": "encrypt-denied" },
    cause: { "awskms.round-trip-context": "encryption_context_mismatch" },
    fixContains: { "awskms.round-trip-context": ["--role-name vault-unseal", KEY_ARN] },
  },
  {
    scenario: "context-required", args: [...CONFIG, "--kms-context", "App=vault-prod"], exit: 1,
    statuses: { "round-trip-context": "fail" }, codes: { "awskms.round-trip-context": "policy-requires-context" },
  },
  {
    scenario: "denied-by-identity-policy", exit: 1, statuses: { "key-state": "fail", "round-trip": "fail" },
    codes: { "awskms.key-state": "denied", "awskms.round-trip": "encrypt-denied" }, cause: { "awskms.round-trip": "permission_denied" },
    fixContains: { "awskms.round-trip": ["aws iam put-role-policy --role-name vault-unseal", KEY_ARN, "kms:Decrypt"] },
  },
  {
    scenario: "denied-by-key-policy", exit: 1, statuses: { "key-state": "fail", "round-trip": "fail" },
    fixContains: { "awskms.key-state": ["aws kms put-key-policy", "arn:aws:iam::111122223333:root"] },
  },
  {
    scenario: "explicit-deny", exit: 1, statuses: { "key-state": "pass", "round-trip": "fail" }, codes: { "awskms.round-trip": "decrypt-denied" },
    fixContains: { "awskms.round-trip": [`aws kms get-key-policy --key-id ${KEY_ARN}`] },
  },
  {
    scenario: "key-disabled", exit: 1, statuses: { "key-state": "fail", rotation: "skip" }, codes: { "awskms.key-state": "disabled" },
    cause: { "awskms.key-state": "key_disabled" }, fixContains: { "awskms.key-state": [`aws kms enable-key --key-id ${KEY_ARN} --region us-east-1`] },
  },
  {
    scenario: "key-pending-deletion", exit: 1, statuses: { "key-state": "fail" }, codes: { "awskms.key-state": "pending-deletion" },
    cause: { "awskms.key-state": "key_pending_deletion" }, fixContains: { "awskms.key-state": [`aws kms cancel-key-deletion --key-id ${KEY_ARN}`, "aws kms enable-key"] },
  },
  { scenario: "asymmetric-key", exit: 1, statuses: { "key-state": "fail" }, codes: { "awskms.key-state": "wrong-usage" }, cause: { "awskms.key-state": "key_wrong_usage_or_spec" } },
  { scenario: "alias-missing", exit: 1, statuses: { "key-state": "fail" }, codes: { "awskms.key-state": "not-found-similar" }, fixContains: { "awskms.key-state": ["alias/vault-unseal-old"] } },
  { scenario: "wrong-region", exit: 1, statuses: { "key-state": "fail" }, codes: { "awskms.key-state": "not-found-region" }, cause: { "awskms.key-state": "wrong_region" } },
  { scenario: "irsa-sub-mismatch", exit: 1, statuses: { credentials: "fail", identity: "skip" }, codes: { "awskms.credentials": "irsa-refused" }, cause: { "awskms.credentials": "web_identity_failed" } },
  { scenario: "irsa-token-expired", exit: 1, statuses: { credentials: "fail" }, codes: { "awskms.credentials": "irsa-expired" } },
  { scenario: "imds-hop-limit", exit: 1, statuses: { credentials: "fail" }, codes: { "awskms.credentials": "imds-hop-limit" }, cause: { "awskms.credentials": "metadata_unreachable" }, fixContains: { "awskms.credentials": ["--http-put-response-hop-limit 2"] } },
  { scenario: "node-role-instead-of-irsa", env: { KUBERNETES_SERVICE_HOST: "127.0.0.1" }, exit: 1, statuses: { identity: "warn", "round-trip": "fail" }, codes: { "awskms.identity": "node-role-in-pod" } },
  // Vault's aws-sdk-go-v2 corrects the skew (the default target); OpenBao 2.6's aws-sdk-go v1 does not (src/targets/server-behaviour.ts).
  { scenario: "clock-skew", exit: 0, statuses: { identity: "warn", "round-trip": "pass" }, codes: { "awskms.identity": "clock-skew-corrected" }, cause: { "awskms.identity": "clock_skew" } },
  { scenario: "clock-skew", args: [...CONFIG, "--target", "openbao@2.6"], exit: 1, statuses: { identity: "fail" }, codes: { "awskms.identity": "clock-skew" }, cause: { "awskms.identity": "clock_skew" } },
  { scenario: "invalid-secret", exit: 1, statuses: { identity: "fail", "round-trip": "fail" }, cause: { "awskms.round-trip": "invalid_credentials" } },
  { scenario: "unknown-access-key", exit: 1, statuses: { identity: "fail" }, cause: { "awskms.identity": "invalid_credentials" } },
  { scenario: "expired-session-token", exit: 1, statuses: { identity: "fail" }, cause: { "awskms.identity": "expired_credentials" } },
  { scenario: "throttled", exit: 1, statuses: { "key-state": "fail", "round-trip": "fail" }, cause: { "awskms.round-trip": "throttled" } },
  { scenario: "kms-internal-error", exit: 1, statuses: { "key-state": "fail" }, cause: { "awskms.key-state": "kms_internal_error" } },
  { scenario: "unreachable", exit: 1, statuses: { "key-state": "error", "round-trip": "error" }, cause: { "awskms.round-trip": "network_unreachable" } },
  // The doctor's own missing read permissions stay `error` but do not decide whether Vault unseals.
  { scenario: "no-simulate-permission", exit: 0, statuses: { "round-trip": "pass", rotation: "error", "deletion-protection": "error" }, codes: { "awskms.rotation": "denied" } },
];

describe("awskms checks against the emulator", () => {
  it.each(rows)("$scenario $args $env", async (row) => {
    const run = await runAgainst(row.scenario, row.args ?? CONFIG, row.env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(row.exit);
    expect(statuses(run.report, "awskms.")).toMatchObject(row.statuses);
    for (const [id, code] of Object.entries(row.codes ?? {})) expect(check(run.report, id).findings.map((f) => f.code)).toContain(code);
    for (const [id, cause] of Object.entries(row.cause ?? {})) expect(check(run.report, id).findings.map((f) => f.cause)).toContain(cause);
    for (const [id, needles] of Object.entries(row.fixContains ?? {})) {
      const commands = check(run.report, id).findings.flatMap((f) => f.fix?.commands ?? []).join("\n");
      for (const n of needles) expect(commands).toContain(n);
    }
  });

  it("never calls a mutating API: only reads and the probe's Encrypt/Decrypt reach the emulator", async () => {
    const run = await runAgainst("context-required", CONTEXT_CONFIG);
    const ops = new Set(run.emu.audit().map((a) => a.operation));
    const allowed = /^(Describe|Get|List|Simulate)|^(Encrypt|Decrypt|GenerateDataKey|AssumeRoleWithWebIdentity)$/;
    for (const op of ops) expect(op).toMatch(allowed);
    expect(ops).toContain("Encrypt");
  });

  it("the probe Vault sends carries no encryption context; the kms_context trip carries exactly the given one", async () => {
    const run = await runAgainst("healthy", [...CONFIG, "--kms-context", "App=vault-prod"]);
    const encrypts = run.emu.audit().filter((a) => a.operation === "Encrypt");
    expect(encrypts.map((e) => JSON.stringify(e.context ?? {})).sort()).toEqual(["{\"App\":\"vault-prod\"}", "{}"]);
    expect(check(run.report, "awskms.round-trip-context").findings[0].code).toBe("both-work");
  });

  it("a dead KMS endpoint ends in `error` within the budget, without waiting on it twice", async () => {
    const run = await runAgainst("unreachable", [...CONFIG, "--call-timeout", "1s", "--timeout", "10s"]);
    expect(run.report.durationMs).toBeLessThan(10_000);
    const hung = run.emu.audit().filter((a) => a.service === "kms");
    expect(hung.length).toBeLessThanOrEqual(3);
  });
});
