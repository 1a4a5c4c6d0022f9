// gcpckms.config and gcpckms.credentials on inputs that need no cloud: values with stray characters,
// full resource names and zones; credentials that are missing, JSON instead of a path, or of an unknown
// type. Tables of inputs -> expected codes, through the real runner.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import requiredKeys from "../../checks/config/required-keys.js";
import config from "../../checks/gcpckms/config.js";
import credentials from "../../checks/gcpckms/credentials.js";
import { redact } from "../../src/redact.js";
import { runTarget, type TargetResult } from "../../src/runner.js";
import { configFromText } from "../support/check-harness.js";
import { CLEAN_ENV, stanza } from "./gcp-run.js";

const SEAL = { project: "vault-prod-123456", region: "global", key_ring: "vault-unseal-ring", crypto_key: "vault-unseal-key" };

async function run(hcl: string, env: Record<string, string> = {}): Promise<TargetResult> {
  const full = { ...CLEAN_ENV, ...env };
  for (const k of ["GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GCE_METADATA_HOST"]) vi.stubEnv(k, full[k]);
  vi.stubEnv("METADATA_SERVER_DETECTION", "none");
  const cfg = configFromText(hcl, full);
  const seal = cfg.seals[0]!;
  return runTarget({ id: seal.name, kind: "seal", label: seal.name, seal }, [requiredKeys, config, credentials], { config: cfg, env: full, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: false } }, new AbortController().signal, new Set());
}

const codes = (r: TargetResult, id: string) => r.checks.find((c) => c.id === id)!.findings.map((f) => `${f.status}:${f.code}`);
const finding = (r: TargetResult, id: string) => r.checks.find((c) => c.id === id)!.findings[0]!;

afterEach(() => vi.unstubAllEnvs());

describe("gcpckms.config", () => {
  it.each([
    ["a trailing comma from a Helm env list", { VAULT_GCPCKMS_SEAL_KEY_RING: "vault-unseal-ring," }, stanza(SEAL), "fail:stray-characters", 'export VAULT_GCPCKMS_SEAL_KEY_RING="vault-unseal-ring"'],
    ["a trailing space in the file", {}, stanza({ ...SEAL, crypto_key: "vault-unseal-key " }), "fail:stray-characters", 'crypto_key = "vault-unseal-key"'],
    ["quotes inside the value", { GOOGLE_PROJECT: '"vault-prod-123456"' }, stanza(SEAL), "fail:stray-characters", 'export GOOGLE_PROJECT="vault-prod-123456"'],
    ["a full resource name as crypto_key", {}, stanza({ ...SEAL, crypto_key: "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key" }), "fail:full-name", 'crypto_key = "vault-unseal-key"'],
    ["a Compute zone as region", {}, stanza({ ...SEAL, region: "us-central1-a" }), "fail:zone-not-location", 'region = "us-central1"'],
  ])("%s", async (_what, env, hcl, code, command) => {
    const r = await run(hcl, env);
    expect(codes(r, "gcpckms.config")).toEqual([code]);
    const f = finding(r, "gcpckms.config");
    expect(f.cause).toBe("seal_config_error");
    expect(f.fix!.commands[0]).toContain(command);
    expect(codes(r, "gcpckms.credentials")).toEqual(["skip:prerequisite-failed"]);
  });

  it("an invalid key ring id is reported without a guess", async () => {
    const r = await run(stanza({ ...SEAL, key_ring: "vault unseal ring" }));
    expect(codes(r, "gcpckms.config")).toEqual(["fail:invalid-id"]);
  });

  it("reports each value with its provenance; the environment beats the file", async () => {
    const r = await run(stanza({ ...SEAL, region: "europe-west1" }), { GOOGLE_REGION: "global" });
    expect(codes(r, "gcpckms.config")).toEqual(["pass:values"]);
    expect(finding(r, "gcpckms.config").details).toMatchObject({ region: "global", region_from: "env GOOGLE_REGION", project: "vault-prod-123456" });
    expect(finding(r, "gcpckms.config").details!.project_from).toMatch(/vault\.hcl:2$/);
  });

  it("missing values are config.required-keys' finding (Vault's wording); gcpckms.config skips", async () => {
    const r = await run('seal "gcpckms" {\n  project = "vault-prod-123456"\n  region = "global"\n}\n');
    expect(codes(r, "config.required-keys")).toEqual(["fail:missing", "fail:missing"]);
    expect(codes(r, "gcpckms.config")).toEqual(["skip:prerequisite-failed"]);
  });
});

describe("gcpckms.credentials without a cloud", () => {
  it("no file, no gcloud ADC, metadata detection off: fail none with no_credentials", async () => {
    const r = await run(stanza(SEAL));
    expect(codes(r, "gcpckms.credentials")).toEqual(["fail:none"]);
    expect(finding(r, "gcpckms.credentials").cause).toBe("no_credentials");
    expect(finding(r, "gcpckms.credentials").fix!.commands[0]).toContain("--iam-account vault-unseal@vault-prod-123456.iam.gserviceaccount.com");
  });

  it("a credentials path that does not exist", async () => {
    const r = await run(stanza(SEAL, '  credentials = "/nonexistent/vault-key.json"\n'));
    expect(codes(r, "gcpckms.credentials")).toEqual(["fail:file-missing"]);
    expect(finding(r, "gcpckms.credentials").args).toEqual({ path: "/nonexistent/vault-key.json", from: expect.stringMatching(/vault\.hcl:6$/) });
  });

  it("GOOGLE_CREDENTIALS holding the JSON itself (Terraform's habit): fail, and the private key never shows", async () => {
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const json = JSON.stringify({ type: "service_account", client_email: "vault-unseal@vault-prod-123456.iam.gserviceaccount.com", private_key: privateKey });
    const r = await run(stanza(SEAL), { GOOGLE_CREDENTIALS: json });
    expect(codes(r, "gcpckms.credentials")).toEqual(["fail:json-content"]);
    const out = JSON.stringify(redact(r));
    expect(out).not.toContain(privateKey.split("\n")[1]);
    expect(finding(r, "gcpckms.credentials").fix!.commands[1]).toBe("export GOOGLE_CREDENTIALS=/etc/vault/gcp-key.json");
  });

  it("a file of an unknown type", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gcpckms-creds-"));
    const file = join(dir, "key.json");
    writeFileSync(file, JSON.stringify({ type: "api_key", key: "x" }));
    const r = await run(stanza(SEAL), { GOOGLE_APPLICATION_CREDENTIALS: file });
    expect(codes(r, "gcpckms.credentials")).toEqual(["fail:unknown-type"]);
    expect(finding(r, "gcpckms.credentials").args).toEqual({ path: file, from: "env GOOGLE_APPLICATION_CREDENTIALS", type: "api_key" });
  });
});
