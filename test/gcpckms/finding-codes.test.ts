// The gcpckms findings the scenario tables do not reach, each staged against the Google emulator (a scenario file
// edited in the test, a seal stanza, an environment or a credentials file that causes it) through the real runner
// and the real Google clients over gRPC. Each asserts the finding's code and its arguments, not the wording.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { loadScenario, type Scenario } from "../emulator/scenarios.js";
import { runGcpScenario, stanza, type GcpRun } from "./gcp-run.js";
import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { configFromText } from "../support/check-harness.js";
import { CLI, ROOT, baseEnv } from "../support/cli.js";

const PROJECT = "vault-prod-123456";
const KEY = `projects/${PROJECT}/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key`;
const SEAL = { project: PROJECT, region: "global", key_ring: "vault-unseal-ring", crypto_key: "vault-unseal-key" };
const COMPUTE_SA = "482913675021-compute@developer.gserviceaccount.com";

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  vi.unstubAllEnvs();
});

/** Starts the emulator on a scenario file edited for one test, and runs the gcpckms checks against it. */
async function run(name: string, edit: (s: NonNullable<Scenario["gcp"]>) => void = () => {}, opts: Parameters<typeof runGcpScenario>[1] = {}): Promise<GcpRun> {
  const s = structuredClone(loadScenario(name));
  edit(s.gcp!);
  emulator = await startEmulator(s);
  return runGcpScenario(name, { ...opts, emulator });
}

function tempFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "vkd-gcp-")), name);
  writeFileSync(file, content);
  return file;
}

describe("gcpckms.credentials", () => {
  it("a credentials path that is a directory: refused before any check runs (issue 16: only regular files are read)", () => {
    const dir = mkdtempSync(join(tmpdir(), "vkd-gcp-dir-"));
    expect(() => configFromText('seal "gcpckms" {\n  project = "p"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n}\n', { GOOGLE_APPLICATION_CREDENTIALS: dir }))
      .toThrow(/it is a directory, not a regular file/);
  });

  it("a credentials file the Vault user cannot read (EACCES): file-unreadable", async () => {
    // Root reads any file: the CLI runs as nobody (setpriv, util-linux), as Vault runs as its own user.
    const dir = mkdtempSync(join(tmpdir(), "vkd-gcp-acl-"));
    chmodSync(dir, 0o755);
    const key = join(dir, "key.json");
    writeFileSync(key, "{}");
    chmodSync(key, 0o600);
    const asRoot = process.getuid?.() === 0;
    const argv = asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI] : [process.execPath, CLI];
    const out = spawnSync(argv[0]!, [...argv.slice(1), "-c", join(ROOT, "fixtures/configs/gcpckms.hcl"), "--only", "gcpckms.credentials", "--format", "json", "--timeout", "5s"],
      { env: { ...baseEnv(), GOOGLE_APPLICATION_CREDENTIALS: key }, encoding: "utf8", cwd: ROOT, timeout: 30_000 }).stdout;
    const f = JSON.parse(out).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "gcpckms.credentials").findings.find((x: any) => x.code === "file-unreadable");
    expect(f).toMatchObject({ status: "fail", args: { path: key, from: "env GOOGLE_APPLICATION_CREDENTIALS", error: "EACCES" } });
  });

  it("a credentials file that is not JSON: not-json", async () => {
    const file = tempFile("key.json", "-----this is not json");
    const r = await run("gcp-healthy", undefined, { env: { GOOGLE_APPLICATION_CREDENTIALS: file } });
    const f = r.finding("gcpckms.credentials", "not-json");
    expect(f.status).toBe("fail");
    expect(f.args).toMatchObject({ path: file, from: "env GOOGLE_APPLICATION_CREDENTIALS" });
  });

  it("a key file of an account Google does not know: token-failed, with the token endpoint's invalid_grant", async () => {
    const r0 = await run("gcp-healthy");
    const key = JSON.parse(readFileSync(emulator!.env.GOOGLE_APPLICATION_CREDENTIALS!, "utf8"));
    const file = tempFile("ghost.json", JSON.stringify({ ...key, client_email: `deleted-sa@${PROJECT}.iam.gserviceaccount.com` }));
    expect(r0.codes["gcpckms.credentials"]).toEqual(["pass:file"]);
    const r = await runGcpScenario("gcp-healthy", { emulator, env: { GOOGLE_APPLICATION_CREDENTIALS: file } });
    const f = r.finding("gcpckms.credentials", "token-failed");
    expect(f.status).toBe("fail");
    expect(f.args!.label).toBe(`the credentials file ${file}`);
    expect(String(f.args!.error)).toContain("invalid_grant");
  });

  it("no credentials file and no metadata server answering: metadata-unreachable", async () => {
    const r = await run("gcp-healthy", undefined, { env: { GOOGLE_APPLICATION_CREDENTIALS: undefined, METADATA_SERVER_DETECTION: undefined, GCE_METADATA_HOST: "127.0.0.1:9" } });
    const f = r.finding("gcpckms.credentials", "metadata-unreachable");
    expect(f.status).toBe("fail");
    expect(f.args!.host).toBe("127.0.0.1:9");
  });

  it("a VM's Compute Engine default account with cloud-platform: node-default-account (warn)", async () => {
    // The warning comes from the metadata server's answers, before the token is fetched (whose speed is not the point here).
    const r = await run("gcp-metadata-narrow-scopes", (s) => { s.metadata!.scopes = ["https://www.googleapis.com/auth/cloud-platform"]; }, { callTimeoutMs: 4_000 });
    const f = r.finding("gcpckms.credentials", "node-default-account");
    expect([f.status, f.args]).toEqual(["warn", { email: COMPUTE_SA, cluster: "" }]);
  });
});

describe("gcpckms.api-enabled", () => {
  it("a workforce user's ADC file logged in with narrow --scopes: Cloud KMS refuses the token's scopes, scopes (fail)", async () => {
    const principal = "principal://iam.googleapis.com/locations/global/workforcePools/corp-pool/subject/ops@example.com";
    const r = await run("gcp-healthy", (s) => {
      delete s.credentials;
      s.workforceUser = { principal, scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email"] };
    });
    expect(r.codes["gcpckms.credentials"]).toEqual(["pass:file"]);
    expect(r.finding("gcpckms.credentials", "file").args).toMatchObject({ type: "external_account_authorized_user", from: "env GOOGLE_APPLICATION_CREDENTIALS" });
    const f = r.finding("gcpckms.api-enabled", "scopes");
    expect(f.status).toBe("fail");
    expect(f.cause).toBe("insufficient_scopes");
    expect(String(f.args!.error)).toContain("PERMISSION_DENIED");
    expect(emulator!.audit().some((e) => e.service === "gcp-sts" && e.principal === principal && e.result === "ok")).toBe(true);
  });
});

describe("gcpckms.key", () => {
  it("a key with no primary version: no-primary", async () => {
    const r = await run("gcp-healthy", (s) => { delete s.keyRings[0]!.keys[0]!.primaryVersion; });
    const f = r.finding("gcpckms.key", "no-primary");
    expect([f.status, f.args]).toEqual(["fail", { name: KEY }]);
  });

  it("a primary version still being generated: primary-other, with the state", async () => {
    const r = await run("gcp-healthy", (s) => { s.keyRings[0]!.keys[0]!.versions[0]!.state = "PENDING_GENERATION"; });
    const f = r.finding("gcpckms.key", "primary-other");
    expect(f.status).toBe("fail");
    expect(f.args).toMatchObject({ name: KEY, version: "1", state: "PENDING_GENERATION" });
  });

  it("a key ring that exists in no location: key-ring-not-found", async () => {
    // gcp-key-not-found grants roles/cloudkms.viewer on the project, so Cloud KMS answers NOT_FOUND, not PERMISSION_DENIED.
    const r = await run("gcp-key-not-found", undefined, { hcl: stanza({ ...SEAL, key_ring: "vault-ring-renamed" }) });
    const f = r.finding("gcpckms.key", "key-ring-not-found");
    expect([f.status, f.args]).toEqual(["fail", { keyRing: "vault-ring-renamed", location: "global", project: PROJECT }]);
  });

  it("GetCryptoKey and cryptoKeys.get denied with key_not_required = true: denied-not-required and missing-get-not-required", async () => {
    const r = await run("gcp-permission-denied", undefined, { hcl: stanza(SEAL, '  key_not_required = "true"\n') });
    const key = r.finding("gcpckms.key", "denied-not-required");
    expect(key.status).toBe("warn");
    expect(String(key.args!.error)).toContain("PERMISSION_DENIED");
    const get = r.finding("gcpckms.permissions", "missing-get-not-required");
    expect(get.status).toBe("pass");
    expect(get.args).toEqual({ member: `serviceAccount:vault-unseal@${PROJECT}.iam.gserviceaccount.com`, permission: "cloudkms.cryptoKeys.get" });
  });
});

describe("gcpckms.round-trip", () => {
  it("Decrypt out of quota: decrypt-failed", async () => {
    const r = await run("gcp-healthy", (s) => { s.faults = [{ kind: "RESOURCE_EXHAUSTED", operation: "Decrypt" }]; });
    const f = r.finding("gcpckms.round-trip", "decrypt-failed");
    expect(f.status).toBe("fail");
    expect(String(f.args!.error)).toContain("RESOURCE_EXHAUSTED");
  });

  it("a --kms-context longer than Cloud KMS takes as AAD (64 KiB): aad-failed (warn), Vault's own trip passing", async () => {
    const value = "x".repeat(70_000);
    const r = await run("gcp-healthy", undefined, { kmsContext: { app: value } });
    expect(r.codes["gcpckms.round-trip"]).toEqual(["pass:ok", "warn:aad-failed"]);
    const f = r.finding("gcpckms.round-trip", "aad-failed");
    expect(f.args).toMatchObject({ aad: `app=${value}`, step: "Encrypt" });
    expect(String(f.args!.error)).toContain("INVALID_ARGUMENT");
  });
});
