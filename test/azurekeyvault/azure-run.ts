// Runs the azurekeyvault checks in-process through the real runner against the loopback Azure emulator
// (test/emulator/azure). @azure/identity and MSAL read AZURE_AUTHORITY_HOST / AZURE_POD_IDENTITY_AUTHORITY_HOST from
// process.env, so the emulator's env is both the checks' env and (stubbed) process.env.
import { vi } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import type { TargetResult } from "../../src/runner.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";
import { startAzureEmulator, type AzureEmulator } from "../emulator/azure/server.js";
import { APP, azureScenario, KEY, TENANT, VAULT } from "../emulator/azure/scenarios.js";
import requiredKeys from "../../checks/config/required-keys.js";
import config from "../../checks/azurekeyvault/config.js";
import credential from "../../checks/azurekeyvault/credential.js";
import vaultProperties from "../../checks/azurekeyvault/vault-properties.js";
import key from "../../checks/azurekeyvault/key.js";
import versions from "../../checks/azurekeyvault/versions.js";
import permissions from "../../checks/azurekeyvault/permissions.js";
import roundTrip from "../../checks/azurekeyvault/round-trip.js";
import oldSealUnwrap from "../../checks/azurekeyvault/old-seal-unwrap.js";

export const AZURE_CHECKS: AnyCheck[] = [config, credential, vaultProperties, key, versions, permissions, roundTrip, oldSealUnwrap];

/** Variables of the machine that would change what the credential does. */
const CLEARED = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_SUBSCRIPTION_ID"];

export function secretStanza(extra = "", values: { tenant?: string; clientId?: string; secret?: string } = {}): string {
  return `seal "azurekeyvault" {\n  tenant_id     = "${values.tenant ?? TENANT}"\n  client_id     = "${values.clientId ?? APP.clientId}"\n  client_secret = "${values.secret ?? APP.secret}"\n  vault_name    = "${VAULT}"\n  key_name      = "${KEY}"\n${extra}}\n`;
}

export function managedIdentityStanza(clientId: string, extra = ""): string {
  return `seal "azurekeyvault" {\n  client_id  = "${clientId}"\n  vault_name = "${VAULT}"\n  key_name   = "${KEY}"\n${extra}}\n`;
}

export interface AzureRun {
  emulator: AzureEmulator;
  result: TargetResult;
  codes: Record<string, string[]>;
  finding(checkId: string, code: string): NonNullable<TargetResult["checks"][number]["findings"][number]>;
}

export async function runAzureScenario(
  scenario: string,
  opts: { hcl?: string; env?: Record<string, string | undefined>; server?: "vault" | "openbao"; callTimeoutMs?: number } = {},
): Promise<AzureRun> {
  const emulator = await startAzureEmulator(azureScenario(scenario));
  try {
    const env: NodeJS.ProcessEnv = { ...emulator.env };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    for (const k of [...CLEARED, ...Object.keys(env)]) vi.stubEnv(k, env[k]);
    const server = opts.server ?? "vault";
    const cfg = configFromText(opts.hcl ?? secretStanza(), env, "vault.hcl", server);
    // As src/runner.ts applicable(): checks marked oldSeal "skip" do not run on a disabled (old) seal, "only" ones only there.
    const disabled = cfg.seals[0]!.disabled;
    const defs = AZURE_CHECKS.filter((d) => (disabled ? d.oldSeal !== "skip" : d.oldSeal !== "only"));
    const result = await runSealChecks(cfg, [requiredKeys, ...defs], { env, callTimeoutMs: opts.callTimeoutMs ?? 3_000, target: { server, why: "test" } });
    return { emulator, result, codes: codesByCheck(result), finding: (checkId, code) => findingIn(result, checkId, code) };
  } finally {
    await emulator.close();
    vi.unstubAllEnvs();
  }
}
