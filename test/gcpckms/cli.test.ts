// The CLI end to end, one run per gcpckms emulator scenario: `vault-kms-doctor -c fixtures/configs/gcpckms.hcl
// --format json` in a child process, the emulator's variables in its environment, and the statuses, codes
// and fix commands a user would see, with the scenario's real project, location, key ring, key and account.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { baseEnv, CLI, codesOf, ROOT, runCli } from "../support/cli.js";


const PROJECT = "vault-prod-123456";
const SA = `vault-unseal@${PROJECT}.iam.gserviceaccount.com`;
const COMPUTE_SA = "482913675021-compute@developer.gserviceaccount.com";
const FLAGS = `--keyring vault-unseal-ring --location global --project ${PROJECT}`;
const GRANT = (role: string) => `gcloud kms keys add-iam-policy-binding vault-unseal-key ${FLAGS} --member serviceAccount:${SA} --role ${role}`;

interface Outcome {
  code: number | null;
  report: any;
  codes: Record<string, string[]>;
  status(id: string): string;
  finding(id: string, code: string): any;
  text: string;
}

async function doctor(scenario: string, args: string[] = []): Promise<Outcome> {
  const emulator: Emulator = await startEmulator(scenario);
  try {
    const res = await runCli(["-c", "fixtures/configs/gcpckms.hcl", "--format", "json", "--call-timeout", "1s", ...args], { env: baseEnv(emulator.env) });
    const report = JSON.parse(res.stdout);
    const seal = report.targets.find((t: any) => t.id === "gcpckms");
    const check = (id: string) => seal.checks.find((c: any) => c.id === id);
    return {
      code: res.code,
      report,
      codes: codesOf(report),
      text: res.stdout,
      status: (id) => check(id).status,
      finding: (id, code) => check(id).findings.find((f: any) => f.code === code),
    };
  } finally {
    await emulator.close();
  }
}

const G = (id: string) => `gcpckms/gcpckms.${id}`;

describe("vault-kms-doctor on gcpckms emulator scenarios", () => {
  it("gcp-healthy: every check passes, exit 0", async () => {
    const r = await doctor("gcp-healthy");
    expect(r.code).toBe(0);
    expect(r.report.status).toBe("pass");
    for (const id of ["config", "credentials", "api-enabled", "key", "rotation", "permissions", "round-trip"]) expect(r.status(`gcpckms.${id}`)).toBe("pass");
    expect(r.codes[G("round-trip")]).toEqual(["ok"]);
    expect(r.text).not.toMatch(/BEGIN PRIVATE[ ]KEY/);
  });

  it("gcp-api-disabled: gcloud services enable with the project from the error", async () => {
    const r = await doctor("gcp-api-disabled");
    expect(r.code).toBe(1);
    expect(r.codes[G("api-enabled")]).toEqual(["disabled"]);
    expect(r.finding("gcpckms.api-enabled", "disabled").fix.commands).toEqual(["gcloud services enable cloudkms.googleapis.com --project 482913675021"]);
  });

  it("gcp-key-not-found: not-found with the key list command", async () => {
    const r = await doctor("gcp-key-not-found");
    expect(r.codes[G("key")]).toEqual(["not-found"]);
    expect(r.finding("gcpckms.key", "not-found").fix.commands[0]).toBe(`gcloud kms keys list ${FLAGS}`);
  });

  it("gcp-wrong-location: region must be us-central1", async () => {
    const r = await doctor("gcp-wrong-location");
    expect(r.codes[G("key")]).toEqual(["wrong-location"]);
    const f = r.finding("gcpckms.key", "wrong-location");
    expect(f.fix.commands[0]).toBe('# in fixtures/configs/gcpckms.hcl:8:\nregion = "us-central1"');
    expect(f.fix.commands[1]).toBe(`gcloud kms keys describe vault-unseal-key --keyring vault-unseal-ring --location us-central1 --project ${PROJECT}`);
  });

  it("gcp-permission-denied: denied '(or it may not exist)', viewer and encrypter/decrypter grants", async () => {
    const r = await doctor("gcp-permission-denied");
    expect(r.codes[G("key")]).toEqual(["denied"]);
    expect(r.finding("gcpckms.key", "denied").fix.commands.slice(0, 2)).toEqual([GRANT("roles/cloudkms.viewer"), GRANT("roles/cloudkms.cryptoKeyEncrypterDecrypter")]);
    expect(r.codes[G("permissions")]).toEqual(["missing-get", "missing", "missing", "vault-check-fails"]);
    expect(r.codes[G("round-trip")]).toEqual(["encrypt-denied"]);
  });

  it("gcp-viewer-only: Vault's startup check passes but encryption fails", async () => {
    const r = await doctor("gcp-viewer-only");
    expect(r.status("gcpckms.key")).toBe("pass");
    expect(r.codes[G("permissions")]).toEqual(["granted", "missing", "missing", "vault-check-passes"]);
    expect(r.finding("gcpckms.permissions", "missing").fix.commands).toEqual([GRANT("roles/cloudkms.cryptoKeyEncrypterDecrypter")]);
    expect(r.codes[G("round-trip")]).toEqual(["encrypt-denied"]);
  });

  it("gcp-rotation-off: an advisory warning with gcloud kms keys update; exit 0 under the default --fail-on", async () => {
    const r = await doctor("gcp-rotation-off");
    expect(r.status("gcpckms.rotation")).toBe("warn");
    expect(r.finding("gcpckms.rotation", "off").fix.commands[0]).toMatch(new RegExp(`^gcloud kms keys update vault-unseal-key ${FLAGS} --rotation-period 90d --next-rotation-time `));
    expect(r.status("gcpckms.round-trip")).toBe("pass");
    expect(r.code).toBe(0);
  });

  it.each([
    ["gcp-version-disabled", "primary-disabled", [`gcloud kms keys versions enable 1 --key vault-unseal-key ${FLAGS}`]],
    ["gcp-version-destroy-scheduled", "primary-destroy-scheduled", [`gcloud kms keys versions restore 1 --key vault-unseal-key ${FLAGS}`, `gcloud kms keys versions enable 1 --key vault-unseal-key ${FLAGS}`]],
    ["gcp-version-destroyed", "primary-destroyed", [
      `gcloud kms keys versions list --key vault-unseal-key ${FLAGS}   # other ENABLED versions still decrypt what they wrapped`,
      "vault status   # on every node: one still unsealed holds the root key in memory; keep it running",
      `gcloud kms keys versions create --key vault-unseal-key ${FLAGS} --primary   # new key material, for a new or migrated Vault only`,
    ]],
  ])("%s: %s with its gcloud fix; the round trip fails", async (scenario, code, commands) => {
    const r = await doctor(scenario);
    expect(r.codes[G("key")]).toEqual([code]);
    expect(r.finding("gcpckms.key", code).fix.commands).toEqual(commands);
    expect(r.codes[G("round-trip")]).toEqual(["encrypt-failed"]);
    expect(r.code).toBe(1);
  });

  it("gcp-wrong-purpose: wrong-purpose with a create-key fix", async () => {
    const r = await doctor("gcp-wrong-purpose");
    expect(r.codes[G("key")]).toEqual(["wrong-purpose"]);
    expect(r.finding("gcpckms.key", "wrong-purpose").fix.commands[0]).toMatch(new RegExp(`^gcloud kms keys create vault-unseal-key-symmetric ${FLAGS} --purpose encryption`));
  });

  it("gcp-metadata-narrow-scopes: the scope fix with the instance, zone and node account", async () => {
    const r = await doctor("gcp-metadata-narrow-scopes");
    expect(r.codes[G("credentials")]).toEqual(["metadata-scopes"]);
    expect(r.finding("gcpckms.credentials", "metadata-scopes").fix.commands[1]).toBe(`gcloud compute instances set-service-account vault-0 --zone us-central1-a --project ${PROJECT} --service-account ${COMPUTE_SA} --scopes cloud-platform`);
    expect(r.code).toBe(1);
  });

  it("gcp-metadata-workload-identity: everything passes as the Google service account", async () => {
    const r = await doctor("gcp-metadata-workload-identity");
    expect(r.codes[G("credentials")]).toEqual(["metadata", "workload-identity"]);
    expect(r.status("gcpckms.round-trip")).toBe("pass");
    expect(r.code).toBe(0);
  });

  it("gcp-unavailable: error (network_unreachable), never pass", async () => {
    const r = await doctor("gcp-unavailable");
    expect(r.codes[G("api-enabled")]).toEqual(["failed"]);
    expect(r.status("gcpckms.api-enabled")).toBe("error");
    expect(r.finding("gcpckms.api-enabled", "failed").cause).toBe("network_unreachable");
    expect(r.code).toBe(1);
  });
});
