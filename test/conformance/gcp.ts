// Conformance rows for the gcpckms seal: a real OpenBao 2.6 with `seal "gcpckms"` against the emulator's Cloud KMS.
//
// Routing. OpenBao 2.6.2's gcpckms wrapper (github.com/openbao/go-kms-wrapping/wrappers/gcpckms/v2 v2.3.0,
// wrappers/gcpckms/gcpckms.go createClient) builds cloudkms.NewKeyManagementClient with only a credentials
// file and a user agent: no endpoint, so it dials cloudkms.googleapis.com:443 over gRPC. grpc-go (v1.82.1 in
// OpenBao's go.mod) honours HTTPS_PROXY for that dial; observed: one CONNECT to "cloudkms.googleapis.com:443",
// the host name, not an address resolved first. So OpenBao gets HTTPS_PROXY = a loopback
// CONNECT proxy (test/support/connect-proxy.ts) that tunnels exactly "cloudkms.googleapis.com:443" to the
// emulator's gRPC port and refuses anything else. The emulator presents a certificate for
// cloudkms.googleapis.com signed by a CA made at run time, which Go trusts through SSL_CERT_FILE
// (crypto/x509 root_unix.go). The harness asserts after every row that the proxy saw no other target.
//
// Credentials. A service-account key file (GOOGLE_APPLICATION_CREDENTIALS) with a throwaway RSA key. The KMS
// Go client asks for self-signed JWTs (cloud.google.com/go/kms v1.26.0 apiv1/key_management_client.go
// defaultKeyManagementGRPCClientOptions: internaloption.EnableJwtWithScope()), so it signs its own JWT with
// a `scope` claim and never calls oauth2.googleapis.com/token; the emulator verifies that JWT against the
// key it generated (test/emulator/gcp/oauth-tokens.ts checkBearer). Observed: the proxy is asked for
// cloudkms.googleapis.com:443 only. GCE_METADATA_HOST is always a loopback host (the emulator's metadata server
// in the metadata-* rows, else a closed port), so ADC's metadata path can never reach 169.254.169.254.
//
// Staging, as for awskms: initialise once against gcp-healthy, copy the raft folder per scenario, restart
// against that scenario's emulator. Every emulator is started with the same key seed, so a version's
// material depends on its name only (test/emulator/gcp/kms-service.ts keySeed) and the healthy blob opens
// wherever the same key version exists and is enabled, as in one Google project.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { EXPLAINS } from "../../src/causes/root-causes.js";
import { explainText } from "../../src/troubleshoot/index.js";
import { startGcpEmulator, type GcpEmulator } from "../emulator/gcp/server.js";
import { loadGcpScenarioFile, type GcpScenario, type GcpScenarioFile } from "../emulator/gcp/scenario.js";
import { rotatedScenario } from "../emulator/gcp/rotated.js";
import { createTestCa, issueServerCert, type TestCa } from "../emulator/gcp/tls-cert.js";
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy.js";
import { assertLoopbackOnly } from "./loopback-guard.js";
import { errorLineOf, freePort, initialiseAndUnseal, runBao, startServer, waitFor } from "./openbao.js";
import { harnessErrorRow, pool, type ConformanceRow } from "./report.js";
import type { DoctorRun } from "./transit.js";

/** gcp-* scenarios a real OpenBao 2.6 lives through here, in table order (row names are "gcp:<scenario>"). */
export const GCP_COVERED = [
  "healthy",
  "rotation-off",
  "version-disabled",
  "version-destroy-scheduled",
  "version-destroyed",
  "permission-denied",
  "viewer-only",
  "key-not-found",
  "wrong-location",
  "api-disabled",
  "unavailable",
  "wrong-purpose",
  "metadata-workload-identity",
  "metadata-narrow-scopes",
  "stored-version-disabled",
  "stored-version-enabled",
  "stored-key-drift",
] as const;

/**
 * Rows whose scenario is gcp-healthy tweaked, not a scenario file: the key rotated (version 2 primary) after the
 * template was initialised, so the stored root key stays wrapped by version 1 (test/emulator/gcp/rotated.ts).
 * The doctor of these rows reads the storage as it was before the restart (BAO_RAFT_PATH to a copy taken first,
 * src/storage/stored-seal.ts storageFromConfig): a restart that unseals re-wraps the stored keys with the primary
 * (openbao v2.6.0 vault/seal_autoseal.go upgradeStoredKeys), and the doctor's question is the one asked before it.
 */
const TWEAKED: Record<string, () => GcpScenarioFile> = {
  "stored-version-disabled": () => tweak("stored-version-disabled", "Rotated (version 2 primary), then version 1, which wrapped the stored root key, DISABLED.", "DISABLED"),
  "stored-version-enabled": () => tweak("stored-version-enabled", "Rotated (version 2 primary); version 1, which wrapped the stored root key, still ENABLED.", "ENABLED"),
  "stored-key-drift": () => {
    const file = loadGcpScenarioFile("healthy");
    const s = file.gcp;
    const key = s.keyRings[0]!.keys[0]!;
    s.keyRings[0]!.keys.push({ ...structuredClone(key), id: `${key.id}-2` });
    s.bindings.push(...s.bindings.filter((b) => b.resource.endsWith(`/cryptoKeys/${key.id}`)).map((b) => ({ ...b, resource: `${b.resource}-2` })));
    s.seal = { ...s.seal, crypto_key: `${key.id}-2` };
    return { name: "gcp-stored-key-drift", description: "crypto_key switched to a second, healthy key of the same ring; the stored root key stays wrapped by the first.", gcp: s };
  },
};

function tweak(name: string, description: string, oldState: "DISABLED" | "ENABLED"): GcpScenarioFile {
  const healthy = loadGcpScenarioFile("healthy");
  return { name: `gcp-${name}`, description, gcp: rotatedScenario(healthy.gcp, oldState) };
}

function scenarioFile(name: string): GcpScenarioFile {
  return TWEAKED[name]?.() ?? loadGcpScenarioFile(name);
}

/** Staged fresh (init against the scenario itself): a key's purpose is fixed at creation (https://cloud.google.com/kms/docs/algorithms). */
const FRESH = new Set<string>(["wrong-purpose"]);

export const GCP_NOT_COVERED: Record<string, string> = {};

/** The one host OpenBao's gcpckms seal dials; nothing else is tunnelled. */
export const CLOUDKMS_HOST = "cloudkms.googleapis.com:443";
const RESTART_DEADLINE_MS = 20_000;
/**
 * gcp-unavailable: the Go client retries GetCryptoKey on UNAVAILABLE with backoff until its per-call timeout
 * (cloud.google.com/go/kms apiv1 default call options, 60 s), so OpenBao logs nothing within 20 s. Waiting past
 * that gives its real error line, which `explain` can then be compared on.
 */
const ROW_DEADLINE_MS: Record<string, number> = { unavailable: 80_000 };

export interface Shared {
  ca: TestCa;
  caFile: string;
  tls: { certPem: string; keyPem: string; caPem: string };
  keySeed: Buffer;
}

function writeConfig(dir: string, api: number, cluster: number, seal: GcpScenario["seal"]): string {
  const path = join(dir, "server.hcl");
  writeFileSync(
    path,
    `storage "raft" {
  path                   = ${JSON.stringify(join(dir, "data"))}
  node_id                = "conformance-gcp"
  performance_multiplier = 1
}

listener "tcp" {
  address         = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable     = true
}

seal "gcpckms" {
  project    = ${JSON.stringify(seal.project)}
  region     = ${JSON.stringify(seal.region)}
  key_ring   = ${JSON.stringify(seal.key_ring)}
  crypto_key = ${JSON.stringify(seal.crypto_key)}
}

api_addr     = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
`,
  );
  return path;
}

/**
 * OpenBao's environment, also the doctor's: the emulator's variables (GOOGLE_APPLICATION_CREDENTIALS, and
 * the doctor's own endpoint/CA override, which OpenBao ignores), the proxy for cloudkms.googleapis.com only,
 * the run-time CA, and every metadata fallback on a closed loopback port.
 */
function gcpServerEnv(emu: GcpEmulator, proxy: ConnectProxy, shared: Shared, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    ...emu.env,
    HTTPS_PROXY: proxy.url,
    // Loopback never goes through the proxy (the doctor's direct endpoint, its token endpoint).
    NO_PROXY: "127.0.0.1,localhost,::1",
    SSL_CERT_FILE: shared.caFile,
    // cloud.google.com/go/compute/metadata v0.9.0 metadata.go: a set GCE_METADATA_HOST means "on GCE" (no probe
    // of 169.254.169.254 or metadata.google.internal) and is the only host asked. The emulator's own metadata
    // server in the metadata-* scenarios, else a closed loopback port.
    GCE_METADATA_HOST: emu.env.GCE_METADATA_HOST ?? "127.0.0.1:9",
    GOOGLE_API_USE_CLIENT_CERTIFICATE: "false",
  };
}

function guard(env: NodeJS.ProcessEnv): void {
  assertLoopbackOnly(env, []);
  if (!env.HTTPS_PROXY || !/^http:\/\/127\.0\.0\.1:\d+$/.test(env.HTTPS_PROXY)) throw new Error("conformance: refusing to run, HTTPS_PROXY is not the loopback CONNECT proxy");
  // Without a key file, ADC ends at the metadata server: it must be named, and on loopback.
  if (!env.GCE_METADATA_HOST || !/^127\.\d+\.\d+\.\d+:\d+$/.test(env.GCE_METADATA_HOST)) throw new Error("conformance: refusing to run, GCE_METADATA_HOST is not loopback");
}

async function stage(shared: Shared, scenario: GcpScenario, home: string): Promise<{ emu: GcpEmulator; proxy: ConnectProxy; env: NodeJS.ProcessEnv; close(): Promise<void> }> {
  const emu = await startGcpEmulator(scenario, { workDir: home, tls: shared.tls, keySeed: shared.keySeed });
  let proxy: ConnectProxy;
  try {
    proxy = await startConnectProxy({ [CLOUDKMS_HOST]: Number(emu.endpoint.split(":")[1]) });
  } catch (err) {
    await emu.close();
    throw err;
  }
  const env = gcpServerEnv(emu, proxy, shared, home);
  guard(env);
  return {
    emu,
    proxy,
    env,
    async close() {
      await proxy.close();
      await emu.close();
      const stray = proxy.requests().filter((r) => !r.allowed);
      if (stray.length > 0) throw new Error(`conformance: the proxy was asked for other targets: ${stray.map((r) => r.target).join(", ")}`);
    },
  };
}

/** Observes one restart (or a fresh init + restart) of the server under `dir` against `scenario`. */
async function runRow(bao: string, shared: Shared, name: string, template: string, root: string, runDoctor: DoctorRun): Promise<ConformanceRow> {
  const started = Date.now();
  const file = scenarioFile(name);
  const dir = join(root, `gcp-${name}`);
  const fresh = FRESH.has(name);
  if (fresh) mkdirSync(join(dir, "data"), { recursive: true });
  else cpSync(template, dir, { recursive: true });
  const before = name in TWEAKED ? join(root, `gcp-${name}-before-restart`) : undefined;
  if (before) cpSync(join(dir, "data"), before, { recursive: true });
  const staged = await stage(shared, file.gcp, dir);
  let row: ConformanceRow;
  try {
    const { env, emu } = staged;
    const [api, cluster] = [await freePort(), await freePort()];
    const config = writeConfig(dir, api, cluster, file.gcp.seal);
    let initError: string | undefined;
    if (fresh) {
      const first = startServer(bao, config, api, env);
      try {
        const up = await waitFor(first, RESTART_DEADLINE_MS, () => true);
        if (up.status) {
          const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...env, BAO_ADDR: first.addr }, 60_000);
          if (init.code !== 0) initError = init.stderr.split("\n").map((l) => l.trim()).filter(Boolean).join(" ").slice(0, 2000) || `exit ${init.code}`;
        } else initError = errorLineOf(first.log(), true) ?? "the server did not answer";
      } finally {
        await first.stop();
      }
    }
    const server = initError === undefined ? startServer(bao, config, api, env) : undefined;
    let observed: Awaited<ReturnType<typeof waitFor>> = { timedOut: false };
    if (server) {
      try {
        observed = await waitFor(server, ROW_DEADLINE_MS[name] ?? RESTART_DEADLINE_MS, (s) => s.initialized && !s.sealed);
      } finally {
        await server.stop();
      }
    }
    const exit = server?.exited();
    const unsealed = observed.status?.initialized === true && observed.status.sealed === false;
    const exitedEarly = !observed.timedOut && !unsealed;
    const outcome = initError !== undefined ? "init failed (never initialised)" : unsealed ? "unsealed" : exitedEarly ? `exited (${exit?.code ?? exit?.signal})` : observed.status ? "sealed (kept retrying)" : "no answer (hung at start-up)";
    const errorLine = initError ?? (unsealed || !server ? undefined : errorLineOf(server.log(), exitedEarly));
    const explained = errorLine ? explainText(errorLine, { provider: "gcpckms" }) : [];
    const kmsCalls = emu.audit.filter((a) => a.service === "gcp-kms").map((a) => `${a.operation}:${a.result ?? ""}`);
    const doctor = await runDoctor(config, before ? { ...env, BAO_RAFT_PATH: before } : env);
    const exitAgrees = unsealed ? doctor.exit === 0 : doctor.exit === 1;
    const openbaoCause = explained[0]?.cause;
    const causeAgrees = unsealed || doctor.exit !== 1 || !errorLine || causesAgree(doctor.cause, openbaoCause);
    row = {
      scenario: `gcp:${name}`,
      staging: fresh ? "fresh: init against this scenario, then restart" : before ? `restart of the gcp-healthy-initialised server against gcp-healthy tweaked: ${file.description} The doctor read the storage as it was before the restart` : "restart of the gcp-healthy-initialised server",
      openbao: { unsealed, outcome, errorLine, cause: openbaoCause, kmsCalls: [...new Set(kmsCalls)] },
      doctor,
      agree: exitAgrees && causeAgrees,
      durationMs: Date.now() - started,
    };
  } finally {
    await staged.close();
  }
  return row;
}

/**
 * The doctor's cause agrees with the cause `explain` reads in OpenBao's line when they are the same, or when the
 * doctor's is the root cause the project's own table says explains the line's symptom (src/causes/root-causes.ts
 * EXPLAINS): a line can only say "CryptoKey … not found"; the doctor, which lists the key rings, says the key
 * ring lives in another location (gcp:wrong-location: wrong_region explains key_not_found).
 */
export function causesAgree(doctorCause: string | undefined, openbaoCause: string | undefined): boolean {
  if (doctorCause === openbaoCause) return true;
  return doctorCause !== undefined && openbaoCause !== undefined && (EXPLAINS[doctorCause] ?? []).includes(openbaoCause);
}

export function gcpRowNames(only?: string[]): string[] {
  if (!only) return [...GCP_COVERED];
  if (only.includes("gcp")) return [...GCP_COVERED];
  return GCP_COVERED.filter((n) => only.includes(`gcp:${n}`));
}

/** The run-time test CA (its PEM in `root`), the emulator's certificate for cloudkms.googleapis.com, one key seed. */
export function createShared(root: string): Shared {
  const ca = createTestCa();
  const caFile = join(root, "gcp-test-ca.pem");
  writeFileSync(caFile, ca.certPem);
  // localhost too: the doctor dials the emulator directly and verifies against "localhost" (src/clients/gcp.ts).
  const leaf = issueServerCert(ca, ["cloudkms.googleapis.com", "localhost"]);
  return { ca, caFile, tls: { ...leaf, caPem: ca.certPem }, keySeed: randomBytes(32) };
}

/** A real OpenBao initialised against gcp-healthy through the proxy, then stopped: `<dir>/data` is its raft storage. */
export async function initialiseGcpTemplate(bao: string, shared: Shared, dir: string): Promise<void> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const healthy = loadGcpScenarioFile("healthy").gcp;
  const staged = await stage(shared, healthy, dir);
  try {
    const [api, cluster] = [await freePort(), await freePort()];
    const server = startServer(bao, writeConfig(dir, api, cluster, healthy.seal), api, staged.env);
    try {
      const up = await waitFor(server, 30_000, () => true);
      if (!up.status) throw new Error(`OpenBao (gcpckms) did not answer on ${server.addr} within 30 s:\n${server.log().slice(-3000)}`);
      await initialiseAndUnseal(bao, server, staged.env);
    } finally {
      await server.stop();
    }
  } finally {
    await staged.close();
  }
}

export async function runGcpRows(bao: string, root: string, runDoctor: DoctorRun, only?: string[], onRow?: (r: ConformanceRow) => void): Promise<ConformanceRow[]> {
  const names = gcpRowNames(only);
  if (names.length === 0) return [];
  const shared = createShared(root);
  // Initialise once against gcp-healthy.
  const template = join(root, "gcp-template");
  await initialiseGcpTemplate(bao, shared, template);

  // Two rows at a time (each has its own emulator, proxy, ports and raft copy), as the awskms rows run.
  // The long row starts first so it overlaps the others; the table keeps GCP_COVERED's order.
  const rows: ConformanceRow[] = new Array(names.length);
  const order = names.map((_, i) => i).sort((a, b) => (ROW_DEADLINE_MS[names[b]!] ?? 0) - (ROW_DEADLINE_MS[names[a]!] ?? 0));
  await pool(order, 2, async (i) => {
    const name = names[i]!;
    const row = await runRow(bao, shared, name, template, root, runDoctor).catch((err: Error) => harnessErrorRow(`gcp:${name}`, err));
    onRow?.(row);
    rows[i] = row;
  });
  return rows;
}
