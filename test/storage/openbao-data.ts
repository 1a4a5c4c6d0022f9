// A data folder written by a real OpenBao 2.6 (`.peers/bin/bao`): raft storage in a temp folder, seal "awskms"
// against the emulator's healthy scenario, `bao operator init`, then stopped. What the storage checks read.
// Built on the conformance harness (test/conformance/openbao.ts); every wait is bounded.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { assertLoopbackOnly } from "../conformance/loopback-guard.js";
import { freePort, initialiseAndUnseal, runBao, serverEnv, startServer, waitFor, writeServerConfig } from "../conformance/openbao.js";
import { peerBinary } from "../support/peers.js";

export const SEAL = { region: "us-east-1", kmsKeyId: "alias/vault-unseal" };


export interface OpenBaoData {
  /** The folder holding `data/` (raft: data/vault.db, data/raft/raft.db). */
  dir: string;
  /** The raft storage path (`storage "raft" { path }`). */
  dataPath: string;
}

/** Starts OpenBao against the healthy emulator; `init` false leaves storage uninitialised (started, then stopped). */
export async function writeOpenBaoData(init = true): Promise<OpenBaoData> {
  const bao = peerBinary("bao");
  const dir = mkdtempSync(join(tmpdir(), "vkd-storage-"));
  const dataPath = join(dir, "data");
  mkdirSync(dataPath, { recursive: true });
  const emu = await startEmulator("healthy");
  try {
    const [api, cluster] = [await freePort(), await freePort()];
    const env = serverEnv(emu, dir);
    assertLoopbackOnly(env, [emu.awsEndpoint!]);
    const config = writeServerConfig(dir, "server.hcl", api, cluster, { ...SEAL, endpoint: emu.awsEndpoint! });
    const server = startServer(bao, config, api, env);
    try {
      const up = await waitFor(server, 30_000, () => true);
      if (!up.status) throw new Error(`OpenBao did not answer on ${server.addr} within 30 s:\n${server.log().slice(-3000)}`);
      if (init) {
        await initialiseAndUnseal(bao, server, env);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await emu.close();
  }
  return { dir, dataPath };
}

/** Restarts OpenBao on a copy of `data` against `emu` with `kmsKeyId`: whether it unsealed within the deadline. */
export async function restartOutcome(data: OpenBaoData, emu: Emulator, kmsKeyId: string, whileUp?: (dataPath: string) => Promise<void>): Promise<{ unsealed: boolean; log: string }> {
  const bao = peerBinary("bao");
  const dir = mkdtempSync(join(tmpdir(), "vkd-storage-restart-"));
  cpSync(data.dataPath, join(dir, "data"), { recursive: true });
  const [api, cluster] = [await freePort(), await freePort()];
  const env = serverEnv(emu, dir);
  assertLoopbackOnly(env, [emu.awsEndpoint!]);
  const config = writeServerConfig(dir, "server.hcl", api, cluster, { ...SEAL, kmsKeyId, endpoint: emu.awsEndpoint! });
  const server = startServer(bao, config, api, env);
  try {
    const r = await waitFor(server, 20_000, (s) => s.initialized && !s.sealed);
    await whileUp?.(join(dir, "data"));
    return { unsealed: Boolean(r.status && r.status.initialized && !r.status.sealed), log: server.log() };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
