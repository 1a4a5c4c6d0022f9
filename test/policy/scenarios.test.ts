// The offline lint agrees with the emulator's scenarios (fixtures/scenarios/*.json): the scenarios about policies
// get the finding their description promises, every other AWS scenario's policies let Vault in (their fault lies
// elsewhere: credentials, network, key state). The online half will run the same scenarios against the emulator.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { identityPoliciesOf, roleArn } from "../emulator/aws/iam-directory.js";
import type { ScenarioFile } from "../emulator/aws/scenario.js";
import { analyseKmsPolicies } from "../../src/policy/analyse.js";

const DIR = new URL("../../fixtures/scenarios/", import.meta.url);
const VAULT_ROLE = "vault-unseal";
const VAULT_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

/** Scenarios whose point is a policy problem, and the finding codes that problem must produce. */
const POLICY_SCENARIOS: Record<string, string[]> = {
  "context-required": ["denied", "context-required"],
  "denied-by-identity-policy": ["denied", "identity-policy-missing"],
  "denied-by-key-policy": ["denied", "key-policy-excludes-role", "no-root-statement"],
  "explicit-deny": ["denied", "explicit-deny"],
};

const scenarios = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), "utf8")) as ScenarioFile)
  .filter((s) => s.aws?.roles?.some((r) => r.name === VAULT_ROLE) && s.aws.keys.some((k) => k.keyId === VAULT_KEY_ID));

function lint(file: ScenarioFile) {
  const aws = file.aws!;
  const role = aws.roles!.find((r) => r.name === VAULT_ROLE)!;
  const key = aws.keys.find((k) => k.keyId === VAULT_KEY_ID)!;
  const principal = roleArn(aws, role);
  return analyseKmsPolicies({
    identityPolicies: identityPoliciesOf(aws, principal),
    // A key without a policy gets the KMS default, which the lint assumes when none is given.
    keyPolicy: key.policy ? { id: "key-policy", document: key.policy } : undefined,
    roleArn: principal,
    keyArn: `arn:aws:kms:${key.region}:${key.accountId ?? aws.accountId}:key/${key.keyId}`,
  });
}

describe("offline lint on the emulator's scenarios", () => {
  it("finds every policy scenario", () => {
    expect(scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(Object.keys(POLICY_SCENARIOS)));
  });

  it.each(scenarios.map((s) => [s.name, s] as const))("%s", (name, file) => {
    const analysis = lint(file);
    const failing = analysis.findings.filter((f) => f.status === "fail").map((f) => f.code);
    expect(failing, file.description).toEqual(POLICY_SCENARIOS[name] ?? []);
    if (!POLICY_SCENARIOS[name]) expect(analysis.findings.map((f) => f.code)).toContain("allowed");
  });
});
