// The CLI end to end, per emulator scenario: `vault-kms-doctor -c fixtures/configs/awskms.hcl --only
// awskms.iam-simulation,awskms.irsa-trust --format json` in a child process against the emulator, as a user runs it.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { check, runAgainst } from "../support/emulated-run.js";
import { CLI, ROOT } from "../support/cli.js";


const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ONLY = ["--only", "awskms.iam-simulation", "--only", "awskms.irsa-trust"];
const CONFIG = ["-c", "fixtures/configs/awskms.hcl", ...ONLY];
const CONTEXT_CONFIG = ["-c", "fixtures/configs/awskms-kms-context.hcl", ...ONLY];

interface Row {
  scenario: string;
  args?: string[];
  exit: number;
  simulation: string[];
  trust: string[];
  fixContains?: string[];
}

const rows: Row[] = [
  { scenario: "healthy", exit: 0, simulation: ["allowed"], trust: ["not-configured"] },
  { scenario: "irsa-healthy", exit: 0, simulation: ["allowed"], trust: ["trusted"] },
  { scenario: "denied-by-identity-policy", exit: 1, simulation: ["denied", "identity-policy-missing"], trust: ["not-configured"], fixContains: ["aws iam put-role-policy --role-name vault-unseal", KEY_ARN] },
  { scenario: "denied-by-key-policy", exit: 1, simulation: ["denied", "key-policy-unreadable", "key-policy-excludes-role-inferred"], trust: ["not-configured"], fixContains: [`aws kms put-key-policy --key-id ${KEY_ARN}`] },
  { scenario: "explicit-deny", exit: 1, simulation: ["denied", "explicit-deny"], trust: ["not-configured"], fixContains: ["ArnNotEquals", `aws kms put-key-policy --key-id ${KEY_ARN}`] },
  { scenario: "context-required", args: CONTEXT_CONFIG, exit: 1, simulation: ["denied", "context-required"], trust: ["not-configured"], fixContains: ["aws iam put-role-policy --role-name vault-unseal"] },
  { scenario: "no-simulate-permission", exit: 0, simulation: ["simulate-denied"], trust: ["not-configured"], fixContains: ["iam:SimulatePrincipalPolicy"] },
  // The web identity exchange fails and nothing else can read the role: the simulation is skipped, the trust check says why it could not look.
  { scenario: "irsa-sub-mismatch", exit: 1, simulation: ["prerequisite-failed"], trust: ["no-reader"], fixContains: ["aws iam get-role --role-name vault-unseal --query Role.AssumeRolePolicyDocument"] },
];

describe("vault-kms-doctor: awskms.iam-simulation and awskms.irsa-trust on emulator scenarios", () => {
  it.each(rows)("$scenario", async (row) => {
    const run = await runAgainst(row.scenario, row.args ?? CONFIG);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(row.exit);
    const simulation = check(run.report, "awskms.iam-simulation");
    const trust = check(run.report, "awskms.irsa-trust");
    expect(simulation.findings.map((f) => f.code)).toEqual(row.simulation);
    expect(trust.findings.map((f) => f.code)).toEqual(row.trust);
    const commands = [...simulation.findings, ...trust.findings].flatMap((f) => f.fix?.commands ?? []).join("\n");
    for (const n of row.fixContains ?? []) expect(commands).toContain(n);
  });
});
