// Runs the gcpckms checks in-process through the real runner against the Google emulator, for one
// scenario: the seal stanza is written from the scenario's `seal` values, the emulator's env is both the
// checks' env and process.env (google-auth-library and gcp-metadata read process.env only).
import { vi } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import type { TargetResult } from "../../src/runner.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";
import requiredKeys from "../../checks/config/required-keys.js";
import config from "../../checks/gcpckms/config.js";
import credentials from "../../checks/gcpckms/credentials.js";
import apiEnabled from "../../checks/gcpckms/api-enabled.js";
import key from "../../checks/gcpckms/key.js";
import rotation from "../../checks/gcpckms/rotation.js";
import permissions from "../../checks/gcpckms/permissions.js";
import roundTrip from "../../checks/gcpckms/round-trip.js";

/** In report order: the order the lead registers them in src/registry.ts. */
export const GCPCKMS_CHECKS: AnyCheck[] = [config, credentials, apiEnabled, key, rotation, permissions, roundTrip];

/** A clean environment with nothing from the machine: no ADC, no metadata probing. */
export const CLEAN_ENV: Record<string, string> = { METADATA_SERVER_DETECTION: "none", CLOUDSDK_CONFIG: "/nonexistent/gcloud" };

export function stanza(seal: { project: string; region: string; key_ring: string; crypto_key: string }, extra = ""): string {
  return `seal "gcpckms" {\n  project    = "${seal.project}"\n  region     = "${seal.region}"\n  key_ring   = "${seal.key_ring}"\n  crypto_key = "${seal.crypto_key}"\n${extra}}\n`;
}

export interface GcpRun {
  emulator: Emulator;
  result: TargetResult;
  /** `check-id: status:code,...` */
  codes: Record<string, string[]>;
  finding(checkId: string, code: string): NonNullable<TargetResult["checks"][number]["findings"][number]>;
}

export async function runGcpScenario(
  scenario: string,
  opts: { hcl?: string; env?: Record<string, string | undefined>; kmsContext?: Record<string, string>; callTimeoutMs?: number; emulator?: Emulator } = {},
): Promise<GcpRun> {
  const emulator = opts.emulator ?? (await startEmulator(scenario));
  const env: NodeJS.ProcessEnv = { ...CLEAN_ENV, ...emulator.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  for (const k of ["GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GCE_METADATA_HOST", "METADATA_SERVER_DETECTION", "CLOUDSDK_CONFIG", "GOOGLE_PROJECT", "GOOGLE_REGION"]) vi.stubEnv(k, env[k]);
  const cfg = configFromText(opts.hcl ?? stanza(emulator.scenario.gcp!.seal), env);
  const seal = cfg.seals[0]!;
  const result = await runSealChecks(cfg, [requiredKeys, ...GCPCKMS_CHECKS], { env, callTimeoutMs: opts.callTimeoutMs ?? 4_000, kmsContext: opts.kmsContext });
  const codes = codesByCheck(result);
  return {
    emulator,
    result,
    codes,
    finding(checkId, code) {
      return findingIn(result, checkId, code);
    },
  };
}
