// Conformance rows for the transit seal: a real OpenBao 2.6 dev server is the transit engine, and a second
// real OpenBao with `seal "transit"` against it is the judge. The judge is initialised once (recovery shares)
// with a good token; each row restarts a copy of its raft folder with the stanza or the upstream changed, and
// records whether it unsealed, its own error line, and what the doctor says on the same config. Rows run one
// after the other (the last one seals the upstream). Everything binds and dials 127.0.0.1.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { explainText } from "../../src/troubleshoot/index.js";
import { createToken, SEAL_POLICY, startDevServer, type DevServer } from "../transit/dev-server.js";
import { errorLineOf, freePort, runBao, startServer, waitFor } from "./openbao.js";
import type { ConformanceRow } from "./report.js";

export type DoctorRun = (config: string, env: NodeJS.ProcessEnv) => Promise<ConformanceRow["doctor"]>;

interface Stanza {
  address: string;
  token: string;
  mount: string;
  key: string;
}

export const TRANSIT_ROWS = [
  "transit:healthy",
  "transit:revoked-token",
  "transit:token-without-policy",
  "transit:decrypt-not-allowed",
  "transit:wrong-mount",
  "transit:unreachable",
  "transit:upstream-sealed",
] as const;

const RESTART_DEADLINE_MS = 20_000;

function writeConfig(dir: string, api: number, cluster: number, s: Stanza): string {
  const path = join(dir, "server.hcl");
  writeFileSync(path, `storage "raft" {
  path    = ${JSON.stringify(join(dir, "data"))}
  node_id = "transit-judge"
}

listener "tcp" {
  address         = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable     = true
}

seal "transit" {
  address    = ${JSON.stringify(s.address)}
  token      = ${JSON.stringify(s.token)}
  mount_path = ${JSON.stringify(s.mount)}
  key_name   = ${JSON.stringify(s.key)}
}

api_addr     = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
`);
  return path;
}

function serverEnv(home: string): NodeJS.ProcessEnv {
  // No VAULT_*/BAO_* at all: the seal token must come from the stanza (the trap transit.settings warns about).
  return { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" };
}

async function ok(p: Promise<{ status: number; json: unknown }>) {
  const r = await p;
  if (r.status >= 300) throw new Error(`transit set-up failed: ${r.status} ${JSON.stringify(r.json)}`);
}

/**
 * OpenBao's fatal start-up error with the API client's whole message: `Error configuring seal "transit": Error
 * making API request.` is followed by unindented "URL: …", "Code: …", "* …" lines, up to the next log line.
 */
function startupError(log: string): string | undefined {
  const lines = log.split("\n");
  const i = lines.findIndex((l) => l.startsWith('Error configuring seal "transit":'));
  if (i < 0) return undefined;
  const out: string[] = [];
  for (let j = i; j < lines.length && !/^\d{4}-\d\d-\d\dT/.test(lines[j]!); j++) out.push(lines[j]!);
  return out.join("\n").trim();
}

export async function runTransitRows(bao: string, root: string, runDoctor: DoctorRun, only?: string[]): Promise<ConformanceRow[]> {
  const names = TRANSIT_ROWS.filter((n) => !only || only.includes(n) || only.includes("transit"));
  if (names.length === 0) return [];
  const upstream: DevServer = await startDevServer();
  try {
    await ok(upstream.api("POST", "sys/mounts/transit", { type: "transit" }));
    await ok(upstream.api("POST", "transit/keys/unseal", {}));
    // The judge's token needs only encrypt/decrypt; the doctor also reads the mount and the key with it.
    await ok(upstream.api("PUT", "sys/policies/acl/autounseal", { policy: `${SEAL_POLICY("transit", "unseal")}\npath "sys/mounts/transit" { capabilities = ["read"] }\npath "transit/keys/unseal" { capabilities = ["read"] }` }));
    await ok(upstream.api("PUT", "sys/policies/acl/encrypt-only", { policy: `path "transit/encrypt/unseal" { capabilities = ["update"] }` }));
    const good = await createToken(upstream, { policies: ["autounseal"], period: "24h" }, "auth/token/create-orphan");
    const base: Stanza = { address: upstream.addr, token: good, mount: "transit", key: "unseal" };

    // Initialise the judge once.
    const template = join(root, "transit-template");
    mkdirSync(join(template, "data"), { recursive: true });
    {
      const [api, cluster] = [await freePort(), await freePort()];
      const server = startServer(bao, writeConfig(template, api, cluster, base), api, serverEnv(template));
      try {
        const up = await waitFor(server, 30_000, () => true);
        if (!up.status) throw new Error(`the transit judge did not answer:\n${server.log().slice(-3000)}`);
        const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...serverEnv(template), BAO_ADDR: server.addr }, 60_000);
        if (init.code !== 0) throw new Error(`bao operator init failed: ${init.stderr.slice(0, 2000)}`);
        const unsealed = await waitFor(server, 30_000, (s) => s.initialized && !s.sealed);
        if (!unsealed.status || unsealed.status.sealed) throw new Error(`the transit judge did not unseal:\n${server.log().slice(-3000)}`);
      } finally {
        await server.stop();
      }
    }

    const rows: ConformanceRow[] = [];
    for (const name of names) {
      const started = Date.now();
      let stanza = base;
      if (name === "transit:revoked-token") {
        const t = await createToken(upstream, { policies: ["autounseal"], period: "24h" }, "auth/token/create-orphan");
        await ok(upstream.api("POST", "auth/token/revoke", { token: t }));
        stanza = { ...base, token: t };
      } else if (name === "transit:token-without-policy") {
        stanza = { ...base, token: await createToken(upstream, { policies: ["default"], period: "24h" }, "auth/token/create-orphan") };
      } else if (name === "transit:decrypt-not-allowed") {
        stanza = { ...base, token: await createToken(upstream, { policies: ["encrypt-only"], period: "24h" }, "auth/token/create-orphan") };
      } else if (name === "transit:wrong-mount") {
        // The root token: no ACL stands in front of the router, so the answer is the router's own.
        stanza = { ...base, token: upstream.rootToken, mount: "transitt" };
      } else if (name === "transit:unreachable") {
        stanza = { ...base, address: `http://127.0.0.1:${await freePort()}` };
      } else if (name === "transit:upstream-sealed") {
        await ok(upstream.api("PUT", "sys/seal"));
      }
      const dir = join(root, name.replace(/[^a-z0-9-]/gi, "_"));
      cpSync(template, dir, { recursive: true });
      const [api, cluster] = [await freePort(), await freePort()];
      const config = writeConfig(dir, api, cluster, stanza);
      const env = serverEnv(dir);
      const server = startServer(bao, config, api, env);
      let observed: Awaited<ReturnType<typeof waitFor>>;
      try {
        observed = await waitFor(server, RESTART_DEADLINE_MS, (s) => s.initialized && !s.sealed);
      } finally {
        await server.stop();
      }
      const exit = server.exited();
      const unsealed = observed.status?.initialized === true && observed.status.sealed === false;
      const exitedEarly = !observed.timedOut && !unsealed;
      const outcome = unsealed ? "unsealed" : exitedEarly ? `exited (${exit?.code ?? exit?.signal})` : observed.status ? "sealed (kept retrying)" : "no answer (hung at start-up)";
      const errorLine = unsealed ? undefined : (startupError(server.log()) ?? errorLineOf(server.log(), exitedEarly));
      const openbaoCause = errorLine ? explainText(errorLine, { provider: "transit" })[0]?.cause : undefined;
      const doctor = await runDoctor(config, env);
      const exitAgrees = unsealed ? doctor.exit === 0 : doctor.exit === 1;
      const causeAgrees = unsealed || doctor.exit !== 1 || !errorLine || openbaoCause === doctor.cause;
      rows.push({
        scenario: name,
        staging: "restart of the transit-initialised server",
        openbao: { unsealed, outcome, errorLine: errorLine?.split(stanza.token).join("<token>"), cause: openbaoCause, kmsCalls: [] },
        doctor,
        agree: exitAgrees && causeAgrees,
        durationMs: Date.now() - started,
      });
    }
    return rows;
  } finally {
    await upstream.stop();
  }
}
