// Every gcpckms emulator scenario through the real runner and the real Google clients: the statuses and
// codes each check reports, and the fix commands filled with the scenario's project, location, key ring,
// key and service account.
import { afterEach, describe, expect, it, vi } from "vitest";
import { runGcpScenario, type GcpRun } from "./gcp-run.js";

const PROJECT = "vault-prod-123456";
const SA = "vault-unseal@vault-prod-123456.iam.gserviceaccount.com";
const COMPUTE_SA = "482913675021-compute@developer.gserviceaccount.com";
const FLAGS = `--keyring vault-unseal-ring --location global --project ${PROJECT}`;
const GRANT = (role: string, member = `serviceAccount:${SA}`) => `gcloud kms keys add-iam-policy-binding vault-unseal-key ${FLAGS} --member ${member} --role ${role}`;
const PASSING_PERMISSIONS = ["pass:granted", "pass:granted", "pass:granted"];

let run: GcpRun | undefined;
afterEach(async () => {
  await run?.emulator.close();
  run = undefined;
  vi.unstubAllEnvs();
});

describe("gcpckms checks against the emulator", () => {
  it("gcp-healthy: everything passes", async () => {
    run = await runGcpScenario("gcp-healthy");
    expect(run.codes).toEqual({
      "config.required-keys": ["pass:present"],
      "gcpckms.config": ["pass:values"],
      "gcpckms.credentials": ["pass:file"],
      "gcpckms.api-enabled": ["pass:enabled"],
      "gcpckms.key": ["pass:ok"],
      "gcpckms.rotation": ["pass:enabled"],
      "gcpckms.permissions": PASSING_PERMISSIONS,
      "gcpckms.round-trip": ["pass:ok"],
    });
    expect(run.result.status).toBe("pass");
    expect(run.finding("gcpckms.credentials", "file").details).toMatchObject({ type: "service_account", client_email: SA, from: "env GOOGLE_APPLICATION_CREDENTIALS" });
    expect(run.finding("gcpckms.key", "ok").details).toMatchObject({ purpose: "ENCRYPT_DECRYPT", protection_level: "SOFTWARE", primary_version: "1", primary_state: "ENABLED" });
    // Vault's calls, as Vault makes them: no AAD on Encrypt or Decrypt.
    const kms = run.emulator.audit().filter((e) => e.service === "gcp-kms");
    expect(kms.filter((e) => e.operation === "Encrypt" || e.operation === "Decrypt").map((e) => [e.operation, e.context?.aad, e.result])).toEqual([
      ["Encrypt", "absent", "ok"],
      ["Decrypt", "absent", "ok"],
    ]);
    expect(new Set(kms.map((e) => e.principal))).toEqual(new Set([`serviceAccount:${SA}`]));
  });

  it("gcp-healthy with --kms-context: a second round trip uses it as AAD, sorted k=v", async () => {
    run = await runGcpScenario("gcp-healthy", { kmsContext: { env: "prod", app: "vault" } });
    expect(run.codes["gcpckms.round-trip"]).toEqual(["pass:ok", "pass:aad-ok"]);
    expect(run.finding("gcpckms.round-trip", "aad-ok").args).toEqual({ aad: "app=vault,env=prod" });
    const trips = run.emulator.audit().filter((e) => e.operation === "Encrypt").map((e) => e.context?.aad);
    expect(trips).toEqual(["absent", "present"]);
  });

  it("gcp-api-disabled: enable the API in the consumer project; the calls behind it skip", async () => {
    run = await runGcpScenario("gcp-api-disabled");
    expect(run.codes["gcpckms.api-enabled"]).toEqual(["fail:disabled"]);
    const f = run.finding("gcpckms.api-enabled", "disabled");
    expect(f.cause).toBe("api_disabled");
    expect(f.fix!.commands).toEqual(["gcloud services enable cloudkms.googleapis.com --project 482913675021"]);
    expect(f.details).toMatchObject({ consumer_project: "482913675021", key_project: PROJECT });
    for (const id of ["gcpckms.key", "gcpckms.permissions", "gcpckms.round-trip"]) expect(run.codes[id]).toEqual(["skip:prerequisite-failed"]);
  });

  it("gcp-key-not-found: the key ring exists, the key does not", async () => {
    run = await runGcpScenario("gcp-key-not-found");
    expect(run.codes["gcpckms.key"]).toEqual(["fail:not-found"]);
    const f = run.finding("gcpckms.key", "not-found");
    expect(f.cause).toBe("key_not_found");
    expect(f.fix!.commands[0]).toBe(`gcloud kms keys list ${FLAGS}`);
    expect(run.codes["gcpckms.rotation"]).toEqual(["skip:no-key"]);
    expect(run.codes["gcpckms.permissions"]).toEqual(["skip:no-key"]);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["skip:no-key"]);
  });

  it("gcp-wrong-location: the key ring is found in us-central1 and region is corrected", async () => {
    run = await runGcpScenario("gcp-wrong-location");
    expect(run.codes["gcpckms.key"]).toEqual(["fail:wrong-location"]);
    const f = run.finding("gcpckms.key", "wrong-location");
    expect(f.cause).toBe("wrong_region");
    expect(f.details).toMatchObject({ configured_location: "global", key_ring_locations: ["us-central1"] });
    expect(f.fix!.commands[0]).toMatch(/vault\.hcl:3:\nregion = "us-central1"$/);
    expect(f.fix!.commands[1]).toBe(`gcloud kms keys describe vault-unseal-key --keyring vault-unseal-ring --location us-central1 --project ${PROJECT}`);
  });

  it("gcp-wrong-location with GOOGLE_REGION: the fix changes the variable, not the file", async () => {
    run = await runGcpScenario("gcp-wrong-location", { env: { GOOGLE_REGION: "global" } });
    expect(run.finding("gcpckms.key", "wrong-location").fix!.commands[0]).toBe("export GOOGLE_REGION=us-central1");
  });

  it("gcp-permission-denied: '(or it may not exist)' explained; every missing permission with its grant", async () => {
    run = await runGcpScenario("gcp-permission-denied");
    expect(run.codes["gcpckms.key"]).toEqual(["fail:denied"]);
    const denied = run.finding("gcpckms.key", "denied");
    // Google's own wording is the point: its PERMISSION_DENIED cannot tell a missing key from a missing grant.
    expect(denied.args!.error).toContain("(or it may not exist)");
    expect(denied.fix!.commands.slice(0, 2)).toEqual([GRANT("roles/cloudkms.viewer"), GRANT("roles/cloudkms.cryptoKeyEncrypterDecrypter")]);
    expect(run.codes["gcpckms.rotation"]).toEqual(["skip:prerequisite-failed"]);
    expect(run.codes["gcpckms.permissions"]).toEqual(["fail:missing-get", "fail:missing", "fail:missing", "fail:vault-check-fails"]);
    // Vault's exact startup error is the point (go-kms-wrapping gcpckms), quoted as an argument.
    expect(run.finding("gcpckms.permissions", "vault-check-fails").args!.vaultError).toContain("permissions check failed - ensure the service account has at least roles/cloudkms.cryptoKeyEncrypterDecrypter");
    expect(run.finding("gcpckms.permissions", "missing-get").fix!.commands).toEqual([GRANT("roles/cloudkms.viewer")]);
    expect(run.finding("gcpckms.permissions", "missing").fix!.commands).toEqual([GRANT("roles/cloudkms.cryptoKeyEncrypterDecrypter")]);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["fail:encrypt-denied"]);
    expect(run.finding("gcpckms.round-trip", "encrypt-denied").cause).toBe("permission_denied");
  });

  it("gcp-viewer-only: Vault's own startup check would pass, but Encrypt and Decrypt are denied", async () => {
    run = await runGcpScenario("gcp-viewer-only");
    expect(run.codes["gcpckms.key"]).toEqual(["pass:ok"]);
    expect(run.codes["gcpckms.permissions"]).toEqual(["pass:granted", "fail:missing", "fail:missing", "fail:vault-check-passes"]);
    const verdict = run.finding("gcpckms.permissions", "vault-check-passes");
    expect(verdict.args).toEqual({ granted: "cloudkms.cryptoKeyVersions.viewPublicKey", missing: "cloudkms.cryptoKeyVersions.useToEncrypt and cloudkms.cryptoKeyVersions.useToDecrypt", verb: "are" });
    expect(run.finding("gcpckms.permissions", "missing").fix!.commands).toEqual([GRANT("roles/cloudkms.cryptoKeyEncrypterDecrypter")]);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["fail:encrypt-denied"]);
  });

  it("gcp-rotation-off: an advisory warning with the gcloud command and the old-versions note", async () => {
    run = await runGcpScenario("gcp-rotation-off");
    expect(run.codes["gcpckms.rotation"]).toEqual(["warn:off"]);
    expect(run.result.checks.find((c) => c.id === "gcpckms.rotation")!.advisory).toBe(true);
    const f = run.finding("gcpckms.rotation", "off");
    expect(f.args).toMatchObject({ name: "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key" });
    expect(f.fix!.commands[0]).toMatch(new RegExp(`^gcloud kms keys update vault-unseal-key ${FLAGS} --rotation-period 90d --next-rotation-time \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    expect(run.codes["gcpckms.round-trip"]).toEqual(["pass:ok"]);
  });

  it.each([
    ["gcp-version-disabled", "fail:primary-disabled", "key_disabled", [`gcloud kms keys versions enable 1 --key vault-unseal-key ${FLAGS}`]],
    ["gcp-version-destroy-scheduled", "fail:primary-destroy-scheduled", "key_pending_deletion", [`gcloud kms keys versions restore 1 --key vault-unseal-key ${FLAGS}`, `gcloud kms keys versions enable 1 --key vault-unseal-key ${FLAGS}`]],
    ["gcp-version-destroyed", "fail:primary-destroyed", "key_destroyed", [
      `gcloud kms keys versions list --key vault-unseal-key ${FLAGS}   # other ENABLED versions still decrypt what they wrapped`,
      "vault status   # on every node: one still unsealed holds the root key in memory; keep it running",
      `gcloud kms keys versions create --key vault-unseal-key ${FLAGS} --primary   # new key material, for a new or migrated Vault only`,
    ]],
  ])("%s: the primary version's state fails the key check and the round trip, with the same fix", async (scenario, code, cause, commands) => {
    run = await runGcpScenario(scenario);
    expect(run.codes["gcpckms.key"]).toEqual([code]);
    const f = run.finding("gcpckms.key", code.slice(5));
    expect(f.cause).toBe(cause);
    expect(f.fix!.commands).toEqual(commands);
    expect(run.codes["gcpckms.permissions"]).toEqual(PASSING_PERMISSIONS);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["fail:encrypt-failed"]);
    const trip = run.finding("gcpckms.round-trip", "encrypt-failed");
    expect(trip.args!.error).toContain("FAILED_PRECONDITION");
    expect(trip.cause).toBe(cause);
    expect(trip.fix!.commands).toEqual(commands);
  });

  it("gcp-wrong-purpose: an ASYMMETRIC_DECRYPT key fails with a create-symmetric-key fix; rotation is not applicable", async () => {
    run = await runGcpScenario("gcp-wrong-purpose");
    expect(run.codes["gcpckms.key"]).toEqual(["fail:wrong-purpose"]);
    const f = run.finding("gcpckms.key", "wrong-purpose");
    expect(f.cause).toBe("key_wrong_usage_or_spec");
    expect(f.fix!.commands[0]).toMatch(new RegExp(`^gcloud kms keys create vault-unseal-key-symmetric ${FLAGS} --purpose encryption --rotation-period 90d`));
    expect(run.codes["gcpckms.rotation"]).toEqual(["skip:not-applicable"]);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["fail:encrypt-failed"]);
    expect(run.finding("gcpckms.round-trip", "encrypt-failed").cause).toBe("key_wrong_usage_or_spec");
  });

  it("gcp-metadata-narrow-scopes: the node's default account without cloud-platform fails with the scope fix", async () => {
    run = await runGcpScenario("gcp-metadata-narrow-scopes");
    expect(run.codes["gcpckms.credentials"]).toEqual(["fail:metadata-scopes"]);
    const f = run.finding("gcpckms.credentials", "metadata-scopes");
    expect(f.cause).toBe("insufficient_scopes");
    expect(f.args).toMatchObject({ email: COMPUTE_SA });
    expect(f.fix!.commands[1]).toBe(`gcloud compute instances set-service-account vault-0 --zone us-central1-a --project ${PROJECT} --service-account ${COMPUTE_SA} --scopes cloud-platform`);
    for (const id of ["gcpckms.api-enabled", "gcpckms.key", "gcpckms.permissions", "gcpckms.round-trip"]) expect(run.codes[id]).toEqual(["skip:prerequisite-failed"]);
    // The doctor read the scopes; it never called Cloud KMS with a token that cannot work.
    expect(run.emulator.audit().some((e) => e.service === "gcp-kms")).toBe(false);
  });

  it("gcp-metadata-workload-identity: the pod's Google service account, cloud-platform scope, everything passes", async () => {
    run = await runGcpScenario("gcp-metadata-workload-identity");
    expect(run.codes["gcpckms.credentials"]).toEqual(["pass:metadata", "pass:workload-identity"]);
    expect(run.finding("gcpckms.credentials", "workload-identity").args).toEqual({ email: SA, cluster: "vault-cluster" });
    expect(run.codes["gcpckms.permissions"]).toEqual(PASSING_PERMISSIONS);
    expect(run.codes["gcpckms.round-trip"]).toEqual(["pass:ok"]);
    expect(run.result.status).toBe("pass");
  });

  it("gcp-unavailable: error with cause network_unreachable, never pass; the dead endpoint is not waited on again", async () => {
    run = await runGcpScenario("gcp-unavailable", { callTimeoutMs: 2000 });
    expect(run.codes["gcpckms.api-enabled"]).toEqual(["error:failed"]);
    const f = run.finding("gcpckms.api-enabled", "failed");
    expect(f.cause).toBe("network_unreachable");
    expect(f.args!.error).toContain("UNAVAILABLE: The service is currently unavailable");
    for (const id of ["gcpckms.key", "gcpckms.permissions", "gcpckms.round-trip"]) expect(run.codes[id]).toEqual(["skip:prerequisite-failed"]);
    expect(run.result.status).toBe("error");
  });
});
