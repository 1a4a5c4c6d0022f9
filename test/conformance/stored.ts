// Conformance rows for the stored root key's wrapping key (issue 21): the configured key is fine, the key (or
// key version) that wrapped the root key in storage is not, or drifted but still usable. A real OpenBao 2.6 is
// restarted on its own initialised data; the doctor reads the same data folder through the config's storage
// stanza. awskms rows: data initialised against the emulator's healthy key (test/storage/openbao-data.ts), restarted
// with kms_key_id switched to a second key. transit rows: a real OpenBao dev server as the transit engine, a second
// OpenBao with seal "transit" initialised against version 1 of its key, then the key rotated and
// min_decryption_version raised above the recorded version (and lowered again: the doctor's fix). Loopback only.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator } from "../emulator/index.js";
import type { Scenario } from "../emulator/scenarios.js";
import { explainText } from "../../src/troubleshoot/index.js";
import { twoKeyScenario } from "../migrate/two-key-scenario.js";
import { writeOpenBaoData } from "../storage/openbao-data.js";
import { createToken, SEAL_POLICY, startDevServer } from "../transit/dev-server.js";
import { assertLoopbackOnly } from "./loopback-guard.js";
import { errorLineOf, freePort, runBao, serverEnv, startServer, waitFor, writeServerConfig } from "./openbao.js";
import type { ConformanceRow } from "./report.js";
import type { DoctorRun } from "./transit.js";

export const STORED_ROWS = [
  "stored:awskms-drift-old-key-enabled",
  "stored:awskms-recorded-key-disabled",
  "stored:transit-min-decryption-raised",
  "stored:transit-min-decryption-lowered",
] as const;

const RESTART_DEADLINE_MS = 20_000;

interface Outcome {
  unsealed: boolean;
  outcome: string;
  errorLine?: string;
}

async function restart(bao: string, config: string, api: number, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const server = startServer(bao, config, api, env);
  let observed: Awaited<ReturnType<typeof waitFor>>;
  try {
    observed = await waitFor(server, RESTART_DEADLINE_MS, (s) => s.initialized && !s.sealed);
  } finally {
    await server.stop();
  }
  const unsealed = observed.status?.initialized === true && observed.status.sealed === false;
  const exitedEarly = !observed.timedOut && !unsealed;
  const exit = server.exited();
  const outcome = unsealed ? "unsealed" : exitedEarly ? `exited (${exit?.code ?? exit?.signal})` : observed.status ? "sealed (kept retrying)" : "no answer (hung at start-up)";
  return { unsealed, outcome, errorLine: unsealed ? undefined : errorLineOf(server.log(), exitedEarly) };
}

function row(scenario: string, staging: string, o: Outcome, provider: string, doctor: ConformanceRow["doctor"], started: number, secret?: string): ConformanceRow {
  const cause = o.errorLine ? explainText(o.errorLine, { provider })[0]?.cause : undefined;
  const exitAgrees = o.unsealed ? doctor.exit === 0 : doctor.exit === 1;
  // The stored key's failure is the doctor's point here: its check must be the one that says so.
  const checkAgrees = o.unsealed || doctor.check?.startsWith("storage.") === true;
  const causeAgrees = o.unsealed || doctor.exit !== 1 || !o.errorLine || !cause || cause === doctor.cause;
  const errorLine = secret ? o.errorLine?.split(secret).join("<token>") : o.errorLine;
  return { scenario, staging, openbao: { unsealed: o.unsealed, outcome: o.outcome, errorLine, cause, kmsCalls: [] }, doctor, agree: exitAgrees && checkAgrees && causeAgrees, durationMs: Date.now() - started };
}

/** Two keys; the one alias/vault-unseal names (it wrapped the stored root key) Disabled, the configured old one fine. */
function recordedKeyDisabled(): Scenario {
  const s = twoKeyScenario({ oldKeyEncrypt: true });
  const keys = s.aws!.keys;
  keys[0] = { ...keys[0]!, keyState: "Disabled" } as (typeof keys)[number];
  return { ...s, name: "stored-key-disabled" };
}

async function awsRows(bao: string, root: string, runDoctor: DoctorRun, names: string[]): Promise<ConformanceRow[]> {
  if (names.length === 0) return [];
  const data = await writeOpenBaoData();
  try {
    const rows: ConformanceRow[] = [];
    for (const name of names) {
      const started = Date.now();
      const emu = await startEmulator(name === "stored:awskms-recorded-key-disabled" ? recordedKeyDisabled() : twoKeyScenario({ oldKeyEncrypt: true }));
      try {
        const dir = join(root, name.replace(/[^a-z0-9-]/gi, "_"));
        mkdirSync(dir, { recursive: true });
        cpSync(data.dataPath, join(dir, "data"), { recursive: true });
        const [api, cluster] = [await freePort(), await freePort()];
        const env = serverEnv(emu, dir);
        assertLoopbackOnly(env, [emu.awsEndpoint!]);
        const config = writeServerConfig(dir, "server.hcl", api, cluster, { region: "us-east-1", kmsKeyId: "alias/vault-unseal-old", endpoint: emu.awsEndpoint! });
        // The doctor first, on the data as the restart will find it (an unseal re-wraps the stored keys).
        const doctor = await runDoctor(config, env);
        const o = await restart(bao, config, api, env);
        rows.push(row(name, "initialised against alias/vault-unseal, restarted with kms_key_id = alias/vault-unseal-old (a second key)", o, "aws", doctor, started));
      } finally {
        await emu.close();
      }
    }
    return rows;
  } finally {
    rmSync(data.dir, { recursive: true, force: true });
  }
}

function transitConfig(dir: string, api: number, cluster: number, address: string, token: string): string {
  const path = join(dir, "server.hcl");
  writeFileSync(path, `storage "raft" {
  path    = ${JSON.stringify(join(dir, "data"))}
  node_id = "stored-transit"
}
listener "tcp" {
  address         = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable     = true
}
seal "transit" {
  address    = ${JSON.stringify(address)}
  token      = ${JSON.stringify(token)}
  mount_path = "transit"
  key_name   = "unseal"
}
api_addr     = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
`);
  return path;
}

async function transitRows(bao: string, root: string, runDoctor: DoctorRun, names: string[]): Promise<ConformanceRow[]> {
  if (names.length === 0) return [];
  const upstream = await startDevServer();
  const ok = async (p: Promise<{ status: number; json: unknown }>) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`transit set-up failed: ${r.status} ${JSON.stringify(r.json)}`);
  };
  try {
    await ok(upstream.api("POST", "sys/mounts/transit", { type: "transit" }));
    await ok(upstream.api("POST", "transit/keys/unseal", {}));
    // The seal's policy plus the read of the key the doctor makes.
    await ok(upstream.api("PUT", "sys/policies/acl/autounseal", { policy: `${SEAL_POLICY("transit", "unseal")}\npath "sys/mounts/transit" { capabilities = ["read"] }\npath "transit/keys/unseal" { capabilities = ["read"] }` }));
    const token = await createToken(upstream, { policies: ["autounseal"], period: "24h" }, "auth/token/create-orphan");
    const env = (home: string) => ({ PATH: process.env.PATH, HOME: home, NO_COLOR: "1" });
    const template = join(root, "stored-transit-template");
    mkdirSync(join(template, "data"), { recursive: true });
    {
      const [api, cluster] = [await freePort(), await freePort()];
      const server = startServer(bao, transitConfig(template, api, cluster, upstream.addr, token), api, env(template));
      try {
        if (!(await waitFor(server, 30_000, () => true)).status) throw new Error(`the transit judge did not answer:\n${server.log().slice(-3000)}`);
        const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...env(template), BAO_ADDR: server.addr }, 60_000);
        if (init.code !== 0) throw new Error(`bao operator init failed: ${init.stderr.slice(0, 2000)}`);
        const up = await waitFor(server, 30_000, (s) => s.initialized && !s.sealed);
        if (!up.status || up.status.sealed) throw new Error(`the transit judge did not unseal:\n${server.log().slice(-3000)}`);
      } finally {
        await server.stop();
      }
    }
    // Version 1 wrapped the stored root key; now version 2 exists and version 1 may no longer decrypt.
    await ok(upstream.api("POST", "transit/keys/unseal/rotate", {}));
    const rows: ConformanceRow[] = [];
    for (const name of names) {
      const started = Date.now();
      const minDecrypt = name === "stored:transit-min-decryption-raised" ? 2 : 1;
      await ok(upstream.api("POST", "transit/keys/unseal/config", { min_decryption_version: minDecrypt }));
      const dir = join(root, name.replace(/[^a-z0-9-]/gi, "_"));
      cpSync(template, dir, { recursive: true });
      const [api, cluster] = [await freePort(), await freePort()];
      const config = transitConfig(dir, api, cluster, upstream.addr, token);
      const doctor = await runDoctor(config, env(dir));
      const o = await restart(bao, config, api, env(dir));
      rows.push(row(name, `initialised against version 1 of transit/keys/unseal; key rotated to version 2, min_decryption_version = ${minDecrypt}`, o, "transit", doctor, started, token));
    }
    return rows;
  } finally {
    await upstream.stop();
  }
}

export async function runStoredRows(bao: string, root: string, runDoctor: DoctorRun, only?: string[]): Promise<ConformanceRow[]> {
  const names: string[] = STORED_ROWS.filter((n) => !only || only.includes(n) || only.includes("stored"));
  return [
    ...(await awsRows(bao, root, runDoctor, names.filter((n) => n.startsWith("stored:awskms")))),
    ...(await transitRows(bao, root, runDoctor, names.filter((n) => n.startsWith("stored:transit")))),
  ];
}
