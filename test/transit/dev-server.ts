// A real OpenBao 2.6 dev server (`bao server -dev`, from `npm run peers`) on loopback as the transit engine,
// and set-up calls to its HTTP API with the root token. Every wait is bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../conformance/openbao.js";
import { peerBinary } from "../support/peers.js";

export interface DevServer {
  addr: string;
  rootToken: string;
  child: ChildProcess;
  log(): string;
  /** A root-token call to the API; returns status and JSON body. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDevServer(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DevServer> {
  const bao = peerBinary("bao");
  const port = await freePort();
  const rootToken = `root-${Math.random().toString(36).slice(2, 12)}`;
  const child = spawn(bao, ["server", "-dev", `-dev-listen-address=127.0.0.1:${port}`, `-dev-root-token-id=${rootToken}`, "-dev-no-store-token", ...extraArgs], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log.length < 256 * 1024 ? (log += d) : undefined));
  child.stderr!.on("data", (d) => (log.length < 256 * 1024 ? (log += d) : undefined));
  let exited = false;
  const closed = new Promise<void>((resolve) => child.once("close", () => ((exited = true), resolve())));
  const addr = `http://127.0.0.1:${port}`;
  const api = async (method: string, path: string, body?: unknown, token = rootToken) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const end = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`bao server -dev exited:\n${log}`);
    if (Date.now() > end) throw new Error(`bao server -dev did not come up:\n${log}`);
    try {
      const r = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(1_000) });
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  return {
    addr,
    rootToken,
    child,
    log: () => log,
    api,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await closed;
      clearTimeout(t);
    },
  };
}

/** Creates a token with the root token; returns its id. */
export async function createToken(server: DevServer, body: Record<string, unknown>, path = "auth/token/create"): Promise<string> {
  const r = await server.api("POST", path, body);
  if (r.status !== 200) throw new Error(`token create: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.auth.client_token as string;
}

export const SEAL_POLICY = (mount: string, key: string) => `path "${mount}/encrypt/${key}" { capabilities = ["update"] }\npath "${mount}/decrypt/${key}" { capabilities = ["update"] }`;
