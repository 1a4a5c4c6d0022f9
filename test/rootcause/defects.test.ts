// The defects found trying the doctor as a new user would (issue 15, item 6), one test each, named after its
// scenario; plus paste-safety with hostile values. Real CLI, real emulator, real bash and aws CLI.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { runAgainst, check, scenarioEnv } from "../support/emulated-run.js";
import { startEmulator } from "../emulator/index.js";
import { startVaultEmulator } from "../emulator/vault/server.js";
import { runTarget } from "../../src/runner.js";
import { configFromText } from "../support/check-harness.js";
import vaultStatus from "../../checks/vault/status.js";
import vaultSealed from "../../checks/vault/sealed.js";
import { baseEnv, runCli } from "../support/cli.js";
import { explainText } from "../../src/troubleshoot/index.js";
import { shq, sh } from "../../src/shell.js";
import { awsInstalled, awsInvocations, runAws } from "./shell-commands.js";
import { runGcpScenario } from "../gcpckms/gcp-run.js";
import { vaultTarget } from "../../src/vault/target.js";

const CONFIG = ["-c", "fixtures/configs/awskms.hcl"];
const PLACEHOLDER = /<[A-Z][A-Z0-9_]*>/;
const fixText = (rc: any) => [rc.fix.summary, ...rc.fix.commands].join("\n");

describe("defects, by scenario", () => {
  it.each([{ KUBERNETES_SERVICE_HOST: "127.0.0.1" }, {}])("node-role-instead-of-irsa (%o): the cause is the missing IRSA annotation, never a grant to the node role", async (env) => {
    const run = await runAgainst("node-role-instead-of-irsa", CONFIG, env);
    const first = run.report.rootCauses[0];
    expect(first.cause).toBe("workload_identity_missing");
    expect(first.fix.commands.join("\n")).toMatch(/kubectl -n "\$NAMESPACE" annotate serviceaccount "\$SERVICE_ACCOUNT" --overwrite eks\.amazonaws\.com\/role-arn="\$ROLE_ARN"/);
    expect(first.fix.commands.join("\n")).toContain("arn:aws:iam::111122223333:role/");
    const all = run.report.rootCauses.map(fixText).join("\n");
    expect(all).not.toContain("put-role-policy --role-name eks-node-group-role");
    expect(all).not.toMatch(PLACEHOLDER);
  });

  it("wrong-region: the fix changes AWS_REGION, where the region really comes from, after finding the key's region", async () => {
    const run = await runAgainst("wrong-region", CONFIG);
    const first = run.report.rootCauses[0];
    expect(first.cause).toBe("wrong_region");
    expect(first.fix.commands).toContain('AWS_REGION="$KEY_REGION"');
    expect(first.fix.commands[0]).toContain("aws kms describe-key --key-id alias/vault-unseal --region \"$r\"");
    expect(first.fix.commands.join("\n")).not.toMatch(/^region = /m);
  });

  it("denied-by-key-policy: get-key-policy writes the policy itself (--query Policy), so put-key-policy can read it back", async () => {
    const run = await runAgainst("denied-by-key-policy", CONFIG);
    const commands = run.report.targets.flatMap((t: any) => t.checks.flatMap((c: any) => c.findings.flatMap((f: any) => f.fix?.commands ?? [])));
    const writes = commands.filter((c: string) => /get-key-policy .*> key-policy\.json/.test(c));
    expect(writes.length).toBeGreaterThan(0);
    for (const c of writes) expect(c).toContain("--query Policy --output text");
  });

  it("irsa-token-expired: no advice to remove session_token / AWS_SESSION_TOKEN (IRSA sets none); the fix is the projected token", async () => {
    const run = await runAgainst("irsa-token-expired", CONFIG);
    const first = run.report.rootCauses[0];
    expect(first.cause).toBe("web_identity_failed");
    expect(first.checks[0]).toBe("awskms.credentials");
    expect(first.fix.commands.join("\n")).toContain("rollout restart statefulset/vault");
    expect(run.report.rootCauses.map(fixText).join("\n")).not.toMatch(/remove session_token|remove[^.]*AWS_SESSION_TOKEN/i);
  });

  it("invalid-secret: an ASIA temporary key is a role session's, so no list-access-keys --user-name", async () => {
    const run = await runAgainst("invalid-secret", CONFIG);
    const first = run.report.rootCauses[0];
    expect(first.cause).toBe("invalid_credentials");
    expect(first.fix.summary).toContain("temporary (ASIA…) key");
    expect(first.fix.commands.join("\n")).not.toContain("list-access-keys");
  });

  it("unknown-access-key: the user behind the key is found from the key, never <USER_NAME>", async () => {
    const run = await runAgainst("unknown-access-key", CONFIG);
    const first = run.report.rootCauses[0];
    expect(first.fix.commands.join("\n")).not.toMatch(PLACEHOLDER);
    expect(first.fix.commands.join("\n")).toMatch(/get-access-key-last-used|unset AWS_ACCESS_KEY_ID/);
  });

  it("gcp-version-destroyed: says what is and is not recoverable (backups hold the same wrapped key); explain maps DESTROYED to key_destroyed", async () => {
    const run = await runGcpScenario("gcp-version-destroyed");
    try {
      const f = run.finding("gcpckms.key", "primary-destroyed");
      expect(f.cause).toBe("key_destroyed");
      expect(f.fix!.summary).toMatch(/every storage backup/);
      expect(f.fix!.summary).not.toMatch(/recover(y)? from (a )?backup/i);
    } finally {
      await run.emulator.close();
    }
    const [d] = explainText("rpc error: code = FailedPrecondition desc = projects/p/locations/global/keyRings/vault/cryptoKeys/unseal/cryptoKeyVersions/2 is not enabled, current state is: DESTROYED.");
    expect(d!.cause).toBe("key_destroyed");
  });

  it("gcp-api-disabled: a project number is not called another project than the key's", async () => {
    const run = await runGcpScenario("gcp-api-disabled");
    try {
      const f = run.finding("gcpckms.api-enabled", "disabled");
      expect(f.fix!.summary).not.toContain("the key lives in");
      expect(f.fix!.summary).toContain("project number");
    } finally {
      await run.emulator.close();
    }
  });

  it("irsa-sub-mismatch: says STS refused the token's sub and prints the corrected trust policy with the known role", async () => {
    const run = await runAgainst("irsa-sub-mismatch", CONFIG);
    const f = check(run.report, "awskms.credentials").findings.find((x: any) => x.code === "irsa-refused");
    expect(f.message).toMatch(/trust policy does not accept sub system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+/);
    const commands = run.report.rootCauses[0].fix.commands.join("\n");
    expect(commands).toContain("aws iam update-assume-role-policy --role-name vault-unseal --policy-document file://trust.json");
    expect(commands).toMatch(/cat > trust\.json <<'EOF'\n[\s\S]*"[^"]*:sub": "system:serviceaccount:/);
    expect(commands).not.toMatch(PLACEHOLDER);
  });

  it("unreachable: names the endpoint and the deadline, with a fix about reaching it", async () => {
    const run = await runAgainst("unreachable", [...CONFIG, "--call-timeout", "1s"]);
    const first = run.report.rootCauses[0];
    expect(first.cause).toBe("network_unreachable");
    expect(first.explanation).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ within 1000 ms/);
    expect(first.explanation).not.toContain("Request aborted");
    expect(first.fix.commands.join("\n")).toMatch(/curl .* http:\/\/127\.0\.0\.1:\d+/);
    expect(first.fix.commands.join("\n")).toContain("https?_proxy|no_proxy");
  });

  it("missing kms_key_id: quotes go-kms-wrapping's own error text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vkd-nokey-"));
    try {
      writeFileSync(join(dir, "vault.hcl"), 'seal "awskms" {\n  region = "us-east-1"\n}\n');
      const r = await runCli(["-c", join(dir, "vault.hcl"), "--only", "config.*", "--format", "json"]);
      const report = JSON.parse(r.stdout);
      const f = check(report, "config.required-keys").findings[0];
      expect(f.message).toContain("key id not found in env or config for aws kms wrapper configuration");
      expect(report.rootCauses[0].fix.commands[0]).toContain("aws kms list-aliases --region us-east-1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("migrate same key (nothing to migrate): no plan, no rollback; a real plan creates the .pre-migration copy its rollback uses", async () => {
    const same = await runCli(["migrate", "-c", "fixtures/configs/migrations/awskms-same-key", "--timeout", "5s"]);
    expect(same.stdout).not.toMatch(/Rollback/i);
    const sameJson = JSON.parse((await runCli(["migrate", "-c", "fixtures/configs/migrations/awskms-same-key", "--timeout", "5s", "--format", "json"])).stdout);
    expect(sameJson.migration).toBeNull();
    expect(sameJson.nothingToMigrate).toBe(true);
    const real = JSON.parse((await runCli(["migrate", "-c", "fixtures/configs/migrations/awskms-to-gcpckms", "--timeout", "5s", "--format", "json"])).stdout);
    const made = real.migration.steps.flatMap((s: any) => s.commands).find((c: string) => c.includes(".pre-migration"));
    const used = real.migration.rollback.flatMap((s: any) => s.commands).find((c: string) => c.includes(".pre-migration"));
    expect(made).toMatch(/^cp -p \S+ \S+\.pre-migration/);
    const file = /\.pre-migration/.test(used) ? used.match(/cp -p (\S+\.pre-migration)/)[1] : "";
    expect(made).toContain(file);
  });

  it("gcp-wrong-location: the locations come from ListLocations, not a fixed list", async () => {
    const run = await runGcpScenario("gcp-wrong-location");
    try {
      expect(run.finding("gcpckms.key", "wrong-location").details).toMatchObject({ key_ring_locations: ["us-central1"], locations_from: "ListLocations" });
      expect(run.emulator.audit().map((a) => a.operation)).toContain("ListLocations");
    } finally {
      await run.emulator.close();
    }
  });

  it("sealed-awskms with --vault-addr: Vault retries the unseal by itself (no restart); the command uses the real config path", async () => {
    const vault = await startVaultEmulator("sealed-awskms");
    try {
      const config = { ...configFromText('seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n'), files: ["/etc/vault.d/vault.hcl"] };
      const result = await runTarget({ id: "config", kind: "config", label: "Configuration" }, [vaultStatus, vaultSealed],
        { config, env: {}, options: { timeoutMs: 10_000, callTimeoutMs: 2_000, enterprise: false, vault: vaultTarget({}, { VAULT_ADDR: vault.addr }) } }, new AbortController().signal, new Set());
      const f = result.checks.find((c) => c.id === "vault.sealed")!.findings[0]!;
      expect(f.code).toBe("sealed-auto");
      expect(f.message).toContain("every 5 seconds");
      expect(`${f.message} ${f.fix!.summary}`).not.toMatch(/restart Vault|then restart/);
      expect(f.fix!.commands[0]).toBe("vault-kms-doctor check --config /etc/vault.d/vault.hcl");
    } finally {
      await vault.close();
    }
  });

  it("list-checks --no-color is accepted", async () => {
    const r = await runCli(["list-checks", "--no-color"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("awskms.key-state");
  });
});

describe("paste-safe: hostile values never run", () => {
  const dir = mkdtempSync(join(tmpdir(), "vkd-hostile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shq: any string comes back from bash unchanged, as one word", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\u0000")), (v) => {
      const out = execFileSync("bash", ["-c", `printf '%s|' ${shq(v)}`], { encoding: "utf8" });
      expect(out).toBe(`${v}|`);
    }), { numRuns: 60 });
    expect(sh`aws kms describe-key --key-id ${"a'; touch x; '"}`).toBe("aws kms describe-key --key-id 'a'\\''; touch x; '\\'''");
  });

  it("a hostile kms_key_id (healthy emulator, alias not found): every emitted aws command runs without executing it", async () => {
    const marker = join(dir, "PWNED");
    // No space, quote or comma (those stop the run earlier as stray characters): command substitution only.
    const hostile = `alias/x$(touch\${IFS}${marker})\`touch\${IFS}${marker}\``;
    writeFileSync(join(dir, "vault.hcl"), `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = ${JSON.stringify(hostile)}\n}\n`);
    const emu = await startEmulator("healthy");
    let report: any;
    try {
      const r = await runCli(["-c", join(dir, "vault.hcl"), "--format", "json", "--call-timeout", "2s"], { env: scenarioEnv(emu) });
      report = JSON.parse(r.stdout);
    } finally {
      await emu.close();
    }
    const commands = [...(report.rootCauses ?? []).flatMap((rc: any) => rc.fix.commands), ...report.targets.flatMap((t: any) => t.checks.flatMap((c: any) => c.findings.flatMap((f: any) => f.fix?.commands ?? [])))];
    // AWS would reject this key id, so awskms.region-key stops the run with the allowed pattern (issue 16); any
    // command that still carries the value must not execute it.
    const regionKey = report.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "awskms.region-key");
    expect(regionKey.findings.map((f: any) => f.code)).toContain("invalid-key-id");
    const segments = commands.flatMap((c: string) => awsInvocations(c)).filter((s: string) => s.includes("touch"));
    for (const seg of segments) await runAws(seg, dir);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it("explain: a role name, key ARN and region taken from a log line cannot inject shell syntax", async () => {
    const marker = join(dir, "PWNED2");
    const log = `User: arn:aws:sts::111122223333:assumed-role/vault$(touch${"${IFS}"}${marker})/i-0abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/k$(touch${"${IFS}"}${marker}) because no identity-based policy allows the kms:Decrypt action`;
    const commands = explainText(log).flatMap((m) => m.fix?.commands ?? []);
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c).not.toMatch(/--role-name vault\$\(/);
    for (const seg of commands.flatMap((c) => awsInvocations(c))) await runAws(seg, dir);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);
});
