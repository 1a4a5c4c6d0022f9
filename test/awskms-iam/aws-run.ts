// Runs the awskms checks in-process through the real runner against the AWS emulator: the real SDK over real HTTP
// and SigV4. The emulator's env is both the checks' env and process.env (the SDK's web-identity and profile
// providers read process.env for endpoints). iam-simulation and irsa-trust are passed in directly, so these tests
// do not need them registered.
import { vi } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { loadVaultConfig } from "../../src/config/load.js";
import type { TargetResult } from "../../src/runner.js";
import { codesByCheck, findingIn, runSealChecks } from "../support/check-harness.js";
import type { Finding } from "../../src/model.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import type { Scenario } from "../emulator/scenarios.js";
import { baseEnv, ROOT } from "../support/cli.js";
import regionKey from "../../checks/awskms/region-key.js";
import credentials from "../../checks/awskms/credentials.js";
import identity from "../../checks/awskms/identity.js";
import keyState from "../../checks/awskms/key-state.js";
import iamSimulation from "../../checks/awskms/iam-simulation.js";
import irsaTrust from "../../checks/awskms/irsa-trust.js";

export const AWSKMS_IAM_CHECKS: AnyCheck[] = [regionKey, credentials, identity, keyState, iamSimulation, irsaTrust];
export const CONFIG = `${ROOT}fixtures/configs/awskms.hcl`;
export const CONTEXT_CONFIG = `${ROOT}fixtures/configs/awskms-kms-context.hcl`;

export interface AwsRun {
  emulator: Emulator;
  result: TargetResult;
  /** check id -> `status:code` */
  codes: Record<string, string[]>;
  status(checkId: string): string;
  finding(checkId: string, code: string): Finding;
}

export async function runAwsScenario(
  scenario: string | Scenario,
  opts: { config?: string; env?: Record<string, string | undefined>; kmsContext?: Record<string, string>; checks?: AnyCheck[] } = {},
): Promise<AwsRun> {
  const emulator = await startEmulator(scenario);
  try {
    const env = baseEnv({ ...emulator.env, ...opts.env });
    for (const k of Object.keys(env).filter((k) => k.startsWith("AWS_"))) vi.stubEnv(k, env[k]);
    const config = loadVaultConfig([opts.config ?? CONFIG], { env });
    const seal = config.seals[0]!;
    const result = await runSealChecks(config, opts.checks ?? AWSKMS_IAM_CHECKS, { env, kmsContext: opts.kmsContext });
    const codes = codesByCheck(result);
    return {
      emulator,
      result,
      codes,
      status: (id) => result.checks.find((c) => c.id === id)?.status ?? "absent",
      finding(id, code) {
        return findingIn(result, id, code);
      },
    };
  } finally {
    vi.unstubAllEnvs();
    await emulator.close();
  }
}
