// Conformance rows for the azurekeyvault seal: a real OpenBao 2.6 with `seal "azurekeyvault"` against the loopback
// Azure (test/emulator/azure).
//
// Routing. OpenBao 2.6.2's azurekeyvault wrapper (github.com/openbao/go-kms-wrapping/wrappers/azurekeyvault/v2
// v2.4.0, azurekeyvault.go buildBaseURL / getKeyVaultClient) talks to https://<vault_name>.<resource>/ (resource
// defaults to vault.azure.net) through an http.Transport with Proxy: http.ProxyFromEnvironment, and its credential
// (getAutomaticCredential: tenant_id + client_id + client_secret → azidentity.NewClientSecretCredential) goes
// through MSAL for Go to login.microsoftonline.com. So OpenBao gets HTTPS_PROXY = a loopback CONNECT proxy
// (test/support/connect-proxy.ts) that tunnels exactly those two host:443 pairs to the emulator and refuses anything
// else; the emulator presents a certificate for both names signed by a CA made at run time, which Go trusts
// through SSL_CERT_FILE. Observed, in order (logged at the emulator): GET https://<vault>.vault.azure.net/keys/
// <key>/?api-version=7.4 without a token (the 401 challenge); on login.microsoftonline.com MSAL for Go's authority
// validation GET /common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/
// <tenant>/oauth2/v2.0/authorize, then GET /<tenant>/v2.0/.well-known/openid-configuration, then POST
// /<tenant>/oauth2/v2.0/token; then GetKey, UnwrapKey of the recorded version (…/keys/<key>/<version>/unwrapkey)
// and WrapKey (…/keys/<key>/wrapkey). The emulator serves all of them (test/emulator/azure/server.ts). The
// harness asserts after every row that the proxy saw no other target.
//
// Credentials. Client secret only, in the seal stanza. No AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET
// (the wrapper reads them first, SetConfig), and no AZURE_AUTHORITY_HOST for OpenBao (its token requests must
// take the real route through the proxy). Without all three settings the wrapper picks a managed identity
// (getAutomaticCredential), whose IMDS is 169.254.169.254: the guard refuses such a run. The doctor gets the
// emulator's loopback hooks (VAULT_KMS_DOCTOR_AZURE_KEYVAULT_URL / _ARM_URL / _CA_FILE, AZURE_AUTHORITY_HOST and
// AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback).
//
// Staging, as for gcpckms: initialise once against azure "healthy", copy the raft folder per row, restart against
// that row's emulator. Every emulator takes its RSA versions from one shared key store (server.ts keyStore), so
// version 0 of the key is the same key pair, with the same version id, in every row, as in one Azure vault.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { explainText } from "../../src/troubleshoot/index.js";
import { startAzureEmulator, type AzureEmulator, type AzureKeyStore } from "../emulator/azure/server.js";
import { APP, azureScenario, KEY, TENANT, VAULT } from "../emulator/azure/scenarios.js";
import { createTestCa, issueServerCert } from "../emulator/gcp/tls-cert.js";
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy.js";
import { assertLoopbackOnly } from "./loopback-guard.js";
import { causesAgree } from "./gcp.js";
import { errorLineOf, freePort, initialiseAndUnseal, startServer, waitFor } from "./openbao.js";
import { harnessErrorRow, pool, type ConformanceRow } from "./report.js";
import type { DoctorRun } from "./transit.js";

interface AzureRow {
  /** test/emulator/azure/scenarios.ts */
  scenario: string;
  /** tenant_id in the stanza, when not the app's tenant. */
  tenant?: string;
  what: string;
}

/** Rows a real OpenBao 2.6 lives through here, in table order (row names are "azure:<name>"). */
export const AZURE_ROWS: Record<string, AzureRow> = {
  healthy: { scenario: "healthy", what: "client secret, key enabled, get/wrapKey/unwrapKey granted" },
  "key-disabled": { scenario: "key-disabled", what: "the key (its only version) disabled after init" },
  "older-version-disabled": { scenario: "older-version-disabled", what: "rotated; the recorded (older) version disabled, the latest enabled" },
  "no-unwrap-permission": { scenario: "no-permission", what: "access policy grants get and list only: no wrapKey/unwrapKey" },
  "key-missing": { scenario: "key-missing", what: "no key of key_name in the vault (KeyNotFound)" },
  "no-get-permission": { scenario: "no-get", what: "access policy grants wrapKey/unwrapKey but not get: the start-up GetKey is refused" },
  "rbac-no-permission": { scenario: "no-permission-rbac", what: "RBAC vault; the app's role grants no key data actions Vault needs (ForbiddenByRbac)" },
  firewall: { scenario: "firewall", what: "the vault's firewall denies the caller's address (ForbiddenByFirewall)" },
  "vault-other-tenant": { scenario: "vault-other-tenant", what: "the vault belongs to another tenant than the credential (AKV10032 Invalid issuer)" },
  "conditional-access": { scenario: "conditional-access", what: "Conditional Access blocks the app's sign-in (AADSTS53003)" },
  "expired-secret": { scenario: "expired-secret", what: "the app's client secret expired (AADSTS7000222)" },
  "wrong-tenant": { scenario: "healthy", tenant: "00000000-0000-0000-0000-000000000001", what: "tenant_id names a tenant Entra ID does not know (AADSTS90002)" },
};

export const AZURE_NOT_COVERED: Record<string, string> = {};

/** The vault's public name and Entra ID: the only targets the proxy tunnels. */
export const AZURE_VAULT_HOST = `${VAULT}.vault.azure.net:443`;
export const AZURE_LOGIN_HOST = "login.microsoftonline.com:443";
const RESTART_DEADLINE_MS = 20_000;

interface Shared {
  caFile: string;
  tls: { certPem: string; keyPem: string; caPem: string };
  keyStore: AzureKeyStore;
}

function writeConfig(dir: string, api: number, cluster: number, tenant: string): string {
  const path = join(dir, "server.hcl");
  writeFileSync(
    path,
    `storage "raft" {
  path                   = ${JSON.stringify(join(dir, "data"))}
  node_id                = "conformance-azure"
  performance_multiplier = 1
}

listener "tcp" {
  address         = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable     = true
}

seal "azurekeyvault" {
  tenant_id     = ${JSON.stringify(tenant)}
  client_id     = ${JSON.stringify(APP.clientId)}
  client_secret = ${JSON.stringify(APP.secret)}
  vault_name    = ${JSON.stringify(VAULT)}
  key_name      = ${JSON.stringify(KEY)}
}

api_addr     = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
`,
  );
  return path;
}

/** Variables that would change the wrapper's credential or send it to an instance-metadata endpoint. */
const FORBIDDEN = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "VAULT_AZUREKEYVAULT_AUTH_METHOD", "AZURE_ENVIRONMENT", "AZURE_AD_RESOURCE"];

function baseEnv(home: string, proxy: ConnectProxy, shared: Shared): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    HTTPS_PROXY: proxy.url,
    // Loopback never goes through the proxy (the doctor's direct endpoints).
    NO_PROXY: "127.0.0.1,localhost,::1",
    SSL_CERT_FILE: shared.caFile,
  };
}

function guard(env: NodeJS.ProcessEnv, configText: { tenant: string }): void {
  assertLoopbackOnly(env, []);
  if (!env.HTTPS_PROXY || !/^http:\/\/127\.0\.0\.1:\d+$/.test(env.HTTPS_PROXY)) throw new Error("conformance: refusing to run, HTTPS_PROXY is not the loopback CONNECT proxy");
  const set = FORBIDDEN.filter((k) => env[k] !== undefined);
  if (set.length > 0) throw new Error(`conformance: refusing to run, ${set.join(", ")} set: the wrapper's credential could change or reach instance metadata`);
  // getAutomaticCredential: all three of tenant_id, client_id, client_secret, else a managed identity (169.254.169.254).
  if (!configText.tenant || !APP.clientId || !APP.secret) throw new Error("conformance: refusing to run, the stanza lacks a client secret credential");
}

async function stage(shared: Shared, scenario: string, home: string, tenant: string): Promise<{ emu: AzureEmulator; proxy: ConnectProxy; env: NodeJS.ProcessEnv; doctorEnv: NodeJS.ProcessEnv; close(): Promise<void> }> {
  const emu = await startAzureEmulator(azureScenario(scenario), { tls: shared.tls, keyStore: shared.keyStore });
  let proxy: ConnectProxy;
  try {
    const port = Number(new URL(emu.base).port);
    proxy = await startConnectProxy({ [AZURE_VAULT_HOST]: port, [AZURE_LOGIN_HOST]: port });
  } catch (err) {
    await emu.close();
    throw err;
  }
  const env = baseEnv(home, proxy, shared);
  guard(env, { tenant });
  // The doctor: the same, plus the emulator's loopback hooks (all loopback; checked again).
  const doctorEnv = { ...env, ...emu.env };
  assertLoopbackOnly(doctorEnv, []);
  return {
    emu,
    proxy,
    env,
    doctorEnv,
    async close() {
      await proxy.close();
      await emu.close();
      const stray = proxy.requests().filter((r) => !r.allowed);
      if (stray.length > 0) throw new Error(`conformance: the proxy was asked for other targets: ${stray.map((r) => r.target).join(", ")}`);
    },
  };
}

async function runRow(bao: string, shared: Shared, name: string, template: string, root: string, runDoctor: DoctorRun): Promise<ConformanceRow> {
  const started = Date.now();
  const spec = AZURE_ROWS[name]!;
  const tenant = spec.tenant ?? TENANT;
  const dir = join(root, `azure-${name}`);
  cpSync(template, dir, { recursive: true });
  const staged = await stage(shared, spec.scenario, dir, tenant);
  let row: ConformanceRow;
  try {
    const { env, emu } = staged;
    const [api, cluster] = [await freePort(), await freePort()];
    const config = writeConfig(dir, api, cluster, tenant);
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
    const errorLine = unsealed ? undefined : azureErrorText(server.log(), exitedEarly);
    if (process.env.VKD_CONFORMANCE_DEBUG) process.stderr.write(`--- azure:${name} OpenBao log\n${server.log().slice(-6000)}\n--- requests\n${emu.requests.join("\n")}\n--- proxy\n${staged.proxy.requests().map((r) => r.target).join("\n")}\n`);
    const explained = errorLine ? explainText(errorLine, { provider: "azurekeyvault" }) : [];
    const kvCalls = emu.requests.filter((r) => r.includes("/keys/") || r.endsWith("/token")).map((r) => r.replace(/\/keys\/[^/]+\/[0-9a-f]{32}/, "/keys/{name}/{version}").replace(/\/[0-9a-f-]{36}\//, "/{tenant}/"));
    const doctor = await runDoctor(config, staged.doctorEnv);
    const exitAgrees = unsealed ? doctor.exit === 0 : doctor.exit === 1;
    const openbaoCause = explained[0]?.cause;
    const causeAgrees = unsealed || doctor.exit !== 1 || !errorLine || causesAgree(doctor.cause, openbaoCause);
    row = {
      scenario: `azure:${name}`,
      staging: "restart of the azure-healthy-initialised server",
      openbao: { unsealed, outcome, errorLine, cause: openbaoCause, kmsCalls: [...new Set(kvCalls)] },
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
 * OpenBao's error text for an azurekeyvault seal. The Azure SDK for Go prints a failed response as a block on
 * lines of their own, not indented (azcore v1 runtime ResponseError.Error: "GET <url>", a dashed rule,
 * "RESPONSE 403: 403 Forbidden", "ERROR CODE: Forbidden", the JSON body, a closing rule; azidentity appends the
 * token endpoint's body and a "To troubleshoot" link). `bao server` writes the start-up error raw to stderr, so the
 * error line alone ends at the URL: the block is what names KeyDisabled or AADSTS7000222. For a start-up exit, the
 * "Error configuring seal" line and every line after it up to the next log entry; otherwise errorLineOf (hclog
 * indents a multi-line value with "  | ", which it keeps).
 */
export function azureErrorText(log: string, exited: boolean): string | undefined {
  const line = errorLineOf(log, exited);
  if (!exited || !line) return line;
  const lines = log.split("\n");
  const first = line.split("\n")[0]!;
  const i = lines.indexOf(first);
  if (i < 0) return line;
  const out: string[] = [];
  for (let j = i; j < lines.length && out.length < 80; j++) {
    if (j > i && /^(\d{4}-\d\d-\d\dT|==> )/.test(lines[j]!)) break;
    out.push(lines[j]!);
  }
  return out.join("\n").trim().slice(0, 8000);
}

export function azureRowNames(only?: string[]): string[] {
  const all = Object.keys(AZURE_ROWS);
  if (!only || only.includes("azure")) return all;
  return all.filter((n) => only.includes(`azure:${n}`));
}

export async function runAzureRows(bao: string, root: string, runDoctor: DoctorRun, only?: string[], onRow?: (r: ConformanceRow) => void): Promise<ConformanceRow[]> {
  const names = azureRowNames(only);
  if (names.length === 0) return [];
  const ca = createTestCa();
  const caFile = join(root, "azure-test-ca.pem");
  writeFileSync(caFile, ca.certPem);
  // localhost and 127.0.0.1 too: the doctor dials the emulator directly (VAULT_KMS_DOCTOR_AZURE_* hooks).
  const leaf = issueServerCert(ca, [`${VAULT}.vault.azure.net`, "login.microsoftonline.com", "localhost"]);
  const shared: Shared = { caFile, tls: { ...leaf, caPem: ca.certPem }, keyStore: new Map() };

  // Initialise once against azure "healthy".
  const template = join(root, "azure-template");
  mkdirSync(join(template, "data"), { recursive: true });
  {
    const staged = await stage(shared, "healthy", template, TENANT);
    try {
      const [api, cluster] = [await freePort(), await freePort()];
      const server = startServer(bao, writeConfig(template, api, cluster, TENANT), api, staged.env);
      try {
        const up = await waitFor(server, 30_000, () => true);
        if (!up.status) throw new Error(`OpenBao (azurekeyvault) did not answer on ${server.addr} within 30 s:\n${server.log().slice(-3000)}\nrequests: ${staged.emu.requests.join(", ")}`);
        await initialiseAndUnseal(bao, server, staged.env);
      } finally {
        await server.stop();
      }
    } finally {
      await staged.close();
    }
  }

  return pool(names, 2, async (name) => {
    const row = await runRow(bao, shared, name, template, root, runDoctor).catch((err: Error) => harnessErrorRow(`azure:${name}`, err));
    onRow?.(row);
    return row;
  });
}
