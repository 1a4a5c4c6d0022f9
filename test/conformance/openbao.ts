// A real OpenBao 2.6 server (the `bao` binary from `npm run peers`) on loopback, with raft storage in a temp
// folder and an awskms seal pointed at the emulator. Every wait is bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** The environment a real OpenBao runs in against the emulator: nothing of the host's AWS setup, every SDK fallback on a closed loopback port. */
export function serverEnv(emu: { env: NodeJS.ProcessEnv }, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    METADATA_SERVER_DETECTION: "none",
    // Anything the SDKs would fall back to stays on a closed loopback port.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    ...emu.env,
  };
}

/** `bao operator init` (one recovery share) on a started server, then wait until it has unsealed itself. */
export async function initialiseAndUnseal(bao: string, server: RunningServer, env: NodeJS.ProcessEnv): Promise<void> {
  const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...env, BAO_ADDR: server.addr }, 60_000);
  if (init.code !== 0) throw new Error(`bao operator init failed (exit ${init.code}): ${init.stderr.slice(0, 2000)}\n${server.log().slice(-3000)}`);
  const unsealed = await waitFor(server, 30_000, (s) => s.initialized && !s.sealed);
  if (!unsealed.status || unsealed.status.sealed) throw new Error(`OpenBao initialised but did not unseal:\n${server.log().slice(-3000)}`);
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface SealStanza {
  region: string;
  kmsKeyId: string;
  endpoint: string;
}

/** The server config: the seal is fixtures/configs/awskms.hcl's with the emulator as `endpoint`. */
export function writeServerConfig(dir: string, file: string, apiPort: number, clusterPort: number, seal: SealStanza): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `storage "raft" {
  path                   = ${JSON.stringify(join(dir, "data"))}
  node_id                = "conformance-0"
  performance_multiplier = 1
}

listener "tcp" {
  address         = "127.0.0.1:${apiPort}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable     = true
}

seal "awskms" {
  region     = ${JSON.stringify(seal.region)}
  kms_key_id = ${JSON.stringify(seal.kmsKeyId)}
  endpoint   = ${JSON.stringify(seal.endpoint)}
}

# OpenBao 2.6 no longer reads disable_mlock (it logs "unknown or unsupported field"); kept for Vault parity.
disable_mlock = true
api_addr      = "http://127.0.0.1:${apiPort}"
cluster_addr  = "https://127.0.0.1:${clusterPort}"
`,
  );
  return path;
}

export interface SealStatus {
  initialized: boolean;
  sealed: boolean;
  type?: string;
}

export interface RunningServer {
  addr: string;
  child: ChildProcess;
  log(): string;
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): Promise<void>;
}

const MAX_LOG = 512 * 1024;

export function startServer(bao: string, configPath: string, apiPort: number, env: NodeJS.ProcessEnv): RunningServer {
  const child = spawn(bao, ["server", `-config=${configPath}`], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const append = (d: Buffer) => {
    if (log.length < MAX_LOG) log += d.toString("utf8");
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const closed = new Promise<void>((resolve) => child.once("close", (code, signal) => ((exit = { code, signal }), resolve())));
  child.once("error", (err) => (log += `\nspawn error: ${err.message}\n`));
  return {
    addr: `http://127.0.0.1:${apiPort}`,
    child,
    log: () => log,
    exited: () => exit,
    async stop() {
      if (exit) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await closed;
      clearTimeout(t);
    },
  };
}

export async function sealStatus(addr: string): Promise<SealStatus | undefined> {
  try {
    const res = await fetch(`${addr}/v1/sys/seal-status`, { signal: AbortSignal.timeout(1_500) });
    if (!res.ok) return undefined;
    return (await res.json()) as SealStatus;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done` says so, the server exits, or the deadline passes; returns the last status seen. */
export async function waitFor(server: RunningServer, deadlineMs: number, done: (s: SealStatus) => boolean): Promise<{ status?: SealStatus; timedOut: boolean }> {
  const end = Date.now() + deadlineMs;
  let last: SealStatus | undefined;
  while (Date.now() < end) {
    if (server.exited()) return { status: last, timedOut: false };
    const s = await sealStatus(server.addr);
    if (s) {
      last = s;
      if (done(s)) return { status: s, timedOut: false };
    }
    await sleep(250);
  }
  return { status: last, timedOut: true };
}

export function runBao(bao: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bao, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * OpenBao's own error line: a fatal start-up error if it exited, else its last "failed to unseal core" retry,
 * else its first [ERROR] line. Continuation lines (the SDK's "\tstatus code: 400, request id: …") are kept.
 */
export function errorLineOf(log: string, exited: boolean): string | undefined {
  const lines = log.split("\n");
  const withContinuation = (i: number) => {
    const out = [lines[i]!];
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!) && !/^\s+(Api Address|Auto Seal|Cgo|Cluster Address|Storage|Version)/.test(lines[j]!); j++) out.push(lines[j]!);
    return out.join("\n").trim();
  };
  const noise = /stored unseal keys are supported, but none were found|unknown or unsupported field|Support for this Auto Unseal mechanism/;
  if (exited) {
    const i = lines.findIndex((l) => /^Error |\berror (parsing|configuring|initializing)\b/i.test(l) && !noise.test(l));
    if (i >= 0) return withContinuation(i);
  }
  for (let i = lines.length - 1; i >= 0; i--) if (/failed to unseal core/.test(lines[i]!) && !noise.test(lines[i]!)) return withContinuation(i);
  const i = lines.findIndex((l) => /\[ERROR\]/.test(l) && !noise.test(l));
  return i >= 0 ? withContinuation(i) : undefined;
}
