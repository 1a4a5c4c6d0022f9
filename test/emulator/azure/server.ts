// A loopback Azure for the azurekeyvault checks: Microsoft Entra ID's token endpoint, Key Vault's data plane,
// Resource Manager's Microsoft.KeyVault/vaults list, and the instance metadata (managed identity) endpoint.
//
// Why our own: the independent Key Vault emulators could not be installed from this machine's registries (see
// README "Azure Key Vault" and test/emulator/azure/README.md): lowkey-vault's app jar is not served by the Maven
// registry here, and the Go azure-keyvault-emulator / entra-emulator modules are refused by the Go module proxy.
// So this serves the wire shapes of Microsoft's REST reference (learn.microsoft.com/rest/api/keyvault: Get Key,
// Get Key Versions, Wrap Key, Unwrap Key, KeyVaultError; rest/api/keyvault/keyvault/vaults/list-by-subscription;
// Entra ID v2.0 token endpoint and AADSTS error bodies; IMDS /metadata/identity/oauth2/token), with real RSA-OAEP-256
// (node:crypto), the 401 challenge flow Key Vault clients follow, and permissions under RBAC or access policies.
// Everything listens on 127.0.0.1: HTTPS with a throwaway certificate (bearer tokens need TLS in the Azure SDK),
// IMDS over plain HTTP as the real one.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSelfSignedCert } from "../gcp/tls-cert.js";
import { listenOnLoopback, LOOPBACK } from "../loopback.js";

export interface AzureApp {
  clientId: string;
  secret: string;
  objectId: string;
  secretExpired?: boolean;
  /** Workload identity: the subject its federated credential accepts (system:serviceaccount:NS:NAME). */
  federatedSubject?: string;
  /** Conditional Access blocks its sign-ins (AADSTS53003). */
  blocked?: boolean;
}

export interface AzureKeyVersion {
  enabled?: boolean;
  /** Seconds since the epoch, as Key Vault's attributes. */
  exp?: number;
  nbf?: number;
}

let imdsSingleton: Promise<{ base: string; handler?: (req: IncomingMessage, res: ServerResponse) => void }> | undefined;

/** The process's loopback IMDS listener (unref'd: it never keeps a test process alive). */
function sharedImds(): Promise<{ base: string; handler?: (req: IncomingMessage, res: ServerResponse) => void }> {
  imdsSingleton ??= (async () => {
    const state: { base: string; handler?: (req: IncomingMessage, res: ServerResponse) => void } = { base: "" };
    const server = createHttpServer((req, res) => {
      if (state.handler) state.handler(req, res);
      else req.socket.destroy();
    });
    const listener = await listenOnLoopback(server);
    server.unref();
    state.base = `http://${LOOPBACK}:${listener.port}`;
    return state;
  })();
  return imdsSingleton;
}

export interface AzureScenario {
  /** Tenants Entra ID knows, with their apps. */
  tenants: Record<string, { apps: AzureApp[] }>;
  /** Managed identities assigned to "this machine" (IMDS). */
  managedIdentities: { clientId: string; objectId: string; tenantId: string }[];
  /** IMDS drops every connection (not an Azure machine, or a network policy in the way). */
  imdsDown?: boolean;
  subscriptionId: string;
  vault: {
    name: string;
    tenantId: string;
    resourceGroup: string;
    rbac: boolean;
    softDelete?: boolean;
    purgeProtection?: boolean;
    publicNetworkAccess?: "Enabled" | "Disabled";
    defaultAction?: "Allow" | "Deny";
    ipRules?: string[];
    /** The data plane answers ForbiddenByFirewall to everyone (the doctor's loopback address is not allowed). */
    firewallDenies?: boolean;
    /** A broken service: unwrapKey answers other bytes than were wrapped. */
    corruptUnwrap?: boolean;
  };
  keys: { name: string; kty?: "RSA" | "RSA-HSM" | "EC"; ops?: string[]; versions: AzureKeyVersion[] }[];
  /** Key permissions by object id (access-policy names: get, list, wrapKey, unwrapKey); under RBAC the same
   * permissions stand for a role assignment's data actions. */
  grants: Record<string, string[]>;
  /** Object ids that may read the vault in Resource Manager. */
  armReaders: string[];
}

interface Version {
  id: string;
  privateKey?: KeyObject;
  jwk: { kty: string; n?: string; e?: string; crv?: string; x?: string; y?: string };
  attrs: AzureKeyVersion;
  created: number;
}

interface IssuedToken {
  aud: string;
  oid: string;
  appid: string;
  tid: string;
  exp: number;
}

export interface AzureEmulator {
  /** https://127.0.0.1:PORT */
  base: string;
  imdsBase: string;
  caFile: string;
  scenario: AzureScenario;
  /** Requests seen, "METHOD path" (no query), for tests that assert what the doctor called. */
  requests: string[];
  /** The environment that points the doctor (and Vault) at this emulator. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const KV_AUDIENCE = "https://vault.azure.net";
const ARM_AUDIENCE = "https://management.azure.com";

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "x-ms-request-id": randomUUID(), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) throw new Error("body too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Entra ID error body (v2.0 token endpoint): error, error_description with the AADSTS text, error_codes. */
function aadError(res: ServerResponse, status: number, error: string, code: number, text: string): void {
  const trace = randomUUID();
  const correlation = randomUUID();
  json(res, status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${new Date().toISOString().replace("T", " ").replace("Z", "Z")}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: trace,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

/** Key Vault error body (KeyVaultError): {"error":{"code","message","innererror"}}. */
function kvError(res: ServerResponse, status: number, code: string, message: string, inner?: string, headers: Record<string, string> = {}): void {
  json(res, status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } }, headers);
}

/** Key material by "<key name>/<version index>", shared across emulators so a blob wrapped by one opens in the next. */
export type AzureKeyStore = Map<string, { id: string; privateKey: KeyObject; n: string; e: string }>;

export interface AzureEmulatorOptions {
  /** A certificate (and the CA that signed it) instead of the self-signed one: the conformance harness serves
   * <vault>.vault.azure.net and login.microsoftonline.com through its CONNECT proxy with a run-time CA. */
  tls?: { certPem: string; keyPem: string; caPem: string };
  /** RSA versions are taken from here when present and stored here when made. */
  keyStore?: AzureKeyStore;
}

export async function startAzureEmulator(scenario: AzureScenario, opts: AzureEmulatorOptions = {}): Promise<AzureEmulator> {
  const cert = opts.tls ?? createSelfSignedCert();
  const dir = mkdtempSync(join(tmpdir(), "vkd-azure-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, opts.tls?.caPem ?? cert.certPem);
  const tokens = new Map<string, IssuedToken>();
  const requests: string[] = [];
  const now = () => Math.floor(Date.now() / 1000);

  // Keys: one RSA key pair per version (2048 bits: fast to make, what RSA-OAEP-256 needs).
  const keys = new Map<string, Version[]>();
  for (const k of scenario.keys) {
    const versions: Version[] = k.versions.map((attrs, i) => {
      const id = randomBytes(16).toString("hex");
      if (k.kty === "EC") {
        const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        const j = publicKey.export({ format: "jwk" }) as { x: string; y: string };
        return { id, jwk: { kty: "EC", crv: "P-256", x: j.x, y: j.y }, attrs, created: now() - 86_400 * (k.versions.length - i) };
      }
      const stored = opts.keyStore?.get(`${k.name}/${i}`);
      if (stored) return { id: stored.id, privateKey: stored.privateKey, jwk: { kty: k.kty ?? "RSA", n: stored.n, e: stored.e }, attrs, created: now() - 86_400 * (k.versions.length - i) };
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const j = publicKey.export({ format: "jwk" }) as { n: string; e: string };
      opts.keyStore?.set(`${k.name}/${i}`, { id, privateKey, n: j.n, e: j.e });
      return { id, privateKey, jwk: { kty: k.kty ?? "RSA", n: j.n, e: j.e }, attrs, created: now() - 86_400 * (k.versions.length - i) };
    });
    keys.set(k.name, versions);
  }

  let base = "";
  /** https://<Host> when a request came under a public name (the conformance proxy), else the loopback base. */
  const publicBase = (req: IncomingMessage): string => {
    const host = String(req.headers.host ?? "").toLowerCase();
    return /^[a-z0-9.-]+\.(azure\.net|microsoftonline\.com)(:443)?$/.test(host) ? `https://${host.replace(/:443$/, "")}` : base;
  };
  const vaultResourceId = `/subscriptions/${scenario.subscriptionId}/resourceGroups/${scenario.vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${scenario.vault.name}`;

  function issue(aud: string, oid: string, appid: string, tid: string): { token: string; expiresIn: number } {
    const expiresIn = 3599;
    const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid: "emulator" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ aud, iss: `https://sts.windows.net/${tid}/`, iat: now(), nbf: now(), exp: now() + expiresIn, oid, appid, tid, sub: oid, ver: "1.0" })).toString("base64url");
    const token = `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
    tokens.set(token, { aud, oid, appid, tid, exp: now() + expiresIn });
    return { token, expiresIn };
  }

  // ---- Microsoft Entra ID (v2.0) ----
  async function entra(req: IncomingMessage, res: ServerResponse, path: string[]): Promise<boolean> {
    const [tenant, a, b, c] = path;
    if (!tenant) return false;
    const base = publicBase(req);
    // MSAL's authority validation (instance discovery), asked of login.microsoftonline.com before the tenant's
    // OpenID configuration: GET /common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.
    // microsoftonline.com/<tenant>/oauth2/v2.0/authorize (observed from OpenBao 2.6.2's MSAL for Go). The answer
    // names the tenant's discovery document and the cloud's host aliases (tenant_discovery_endpoint, metadata[]).
    if (tenant === "common" && a === "discovery" && b === "instance" && req.method === "GET") {
      const host = new URL(base).host;
      const asked = new URL(req.url ?? "/", base).searchParams.get("authorization_endpoint") ?? "";
      const askedTenant = (() => { try { return new URL(asked).pathname.split("/")[1] ?? "common"; } catch { return "common"; } })();
      json(res, 200, {
        tenant_discovery_endpoint: `${base}/${askedTenant}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
      return true;
    }
    const known = scenario.tenants[tenant];
    if (a === "v2.0" && b === ".well-known" && c === "openid-configuration") {
      if (!known) {
        aadError(res, 400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
        return true;
      }
      json(res, 200, {
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${base}/${tenant}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat", "oid", "tid"],
        kerberos_endpoint: `${base}/${tenant}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      });
      return true;
    }
    if (a === "oauth2" && b === "v2.0" && c === "token" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      if (!known) {
        aadError(res, 400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
        return true;
      }
      const clientId = form.get("client_id") ?? "";
      const app = known.apps.find((x) => x.clientId === clientId);
      if (!app) {
        aadError(res, 400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
        return true;
      }
      const assertion = form.get("client_assertion");
      if (assertion) {
        // Workload identity federation: the projected service account token as client assertion.
        let sub = "";
        try {
          sub = String((JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub?: string }).sub ?? "");
        } catch {
          /* not a JWT */
        }
        if (!app.federatedSubject || sub !== app.federatedSubject) {
          aadError(res, 400, "invalid_client", 700213, `No matching federated identity record found for presented assertion subject '${sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`);
          return true;
        }
      } else if (form.get("client_secret") !== app.secret) {
        aadError(res, 401, "invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
        return true;
      }
      if (app.secretExpired) {
        aadError(res, 401, "invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`);
        return true;
      }
      if (app.blocked) {
        aadError(res, 400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.");
        return true;
      }
      const scope = (form.get("scope") ?? "").split(" ").find((s) => s.endsWith("/.default")) ?? "";
      const aud = scope.replace(/\/\.default$/, "");
      const t = issue(aud, app.objectId, clientId, tenant);
      json(res, 200, { token_type: "Bearer", expires_in: t.expiresIn, ext_expires_in: t.expiresIn, access_token: t.token });
      return true;
    }
    return false;
  }

  // ---- Key Vault data plane ----
  function vaultAuth(req: IncomingMessage, res: ServerResponse): IssuedToken | undefined {
    const auth = req.headers.authorization;
    // Reached under the vault's public name (through the conformance proxy), the challenge names Entra ID as the
    // real one does (authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net":
    // a Key Vault 401 logged in https://github.com/Azure/azure-sdk-for-js/issues/31094); clients take only the
    // tenant from it (and check that the resource's host is a suffix of the vault's).
    const authority = publicBase(req) === base ? base : "https://login.microsoftonline.com";
    const challenge = { "www-authenticate": `Bearer authorization="${authority}/${scenario.vault.tenantId}", resource="${KV_AUDIENCE}"` };
    if (!auth?.startsWith("Bearer ")) {
      kvError(res, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", undefined, challenge);
      return undefined;
    }
    const t = tokens.get(auth.slice(7));
    if (!t || t.exp < now()) {
      kvError(res, 401, "Unauthorized", "AKV10032: Invalid issuer or expired token.", undefined, challenge);
      return undefined;
    }
    if (t.aud.replace(/\/$/, "") !== KV_AUDIENCE) {
      kvError(res, 401, "Unauthorized", `AKV10022: Invalid audience. Expected ${KV_AUDIENCE}, found: ${t.aud}.`, undefined, challenge);
      return undefined;
    }
    if (t.tid !== scenario.vault.tenantId) {
      kvError(res, 401, "Unauthorized", `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${scenario.vault.tenantId}/, found https://sts.windows.net/${t.tid}/.`, undefined, challenge);
      return undefined;
    }
    return t;
  }

  function caller(t: IssuedToken): string {
    return `appid=${t.appid};oid=${t.oid};iss=https://sts.windows.net/${t.tid}/`;
  }

  function denied(res: ServerResponse, t: IssuedToken, permission: string, action: string, keyName: string): void {
    const vaultLabel = `${scenario.vault.name};location=westeurope`;
    if (scenario.vault.rbac) {
      kvError(res, 403, "Forbidden", `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller(t)}\r\nAction: '${action}'\r\nResource: '${vaultResourceId.toLowerCase()}/keys/${keyName.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vaultLabel}\r\n`, "ForbiddenByRbac");
    } else {
      kvError(res, 403, "Forbidden", `The user, group or application '${caller(t)}' does not have keys ${permission} permission on key vault '${vaultLabel}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`, "ForbiddenByPolicy");
    }
  }

  function keyBundle(name: string, v: Version): unknown {
    const k = scenario.keys.find((x) => x.name === name)!;
    const ops = k.ops ?? ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
    return {
      key: { kid: `${base}/keys/${name}/${v.id}`, kty: v.jwk.kty, key_ops: ops, ...(v.jwk.n ? { n: v.jwk.n, e: v.jwk.e } : { crv: v.jwk.crv, x: v.jwk.x, y: v.jwk.y }) },
      attributes: attributesOf(v),
    };
  }

  function attributesOf(v: Version): Record<string, unknown> {
    return {
      enabled: v.attrs.enabled !== false,
      ...(v.attrs.nbf !== undefined ? { nbf: v.attrs.nbf } : {}),
      ...(v.attrs.exp !== undefined ? { exp: v.attrs.exp } : {}),
      created: v.created,
      updated: v.created,
      recoveryLevel: scenario.vault.purgeProtection ? "Recoverable" : scenario.vault.softDelete === false ? "Purgeable" : "Recoverable+Purgeable",
      recoverableDays: scenario.vault.softDelete === false ? 0 : 90,
    };
  }

  async function keyVault(req: IncomingMessage, res: ServerResponse, path: string[]): Promise<boolean> {
    if (path[0] !== "keys") return false;
    const t = vaultAuth(req, res);
    if (!t) return true;
    if (scenario.vault.firewallDenies) {
      kvError(res, 403, "Forbidden", `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${req.socket.remoteAddress ?? LOOPBACK}\r\nCaller: ${caller(t)}\r\nVault: ${scenario.vault.name};location=westeurope`, "ForbiddenByFirewall");
      return true;
    }
    const name = path[1] ?? "";
    const grants = scenario.grants[t.oid] ?? [];
    const may = (p: string) => grants.includes(p) || grants.includes("all");
    const versions = keys.get(name);
    // GET /keys/{name}/versions
    if (req.method === "GET" && path[2] === "versions") {
      if (!may("list")) return denied(res, t, "list", "Microsoft.KeyVault/vaults/keys/read", name), true;
      if (!versions) return kvError(res, 404, "KeyNotFound", notFoundText(name)), true;
      json(res, 200, { value: versions.map((v) => ({ kid: `${base}/keys/${name}/${v.id}`, attributes: attributesOf(v) })), nextLink: null });
      return true;
    }
    // POST /keys/{name}/{version}/wrapkey|unwrapkey (an empty version = the latest)
    const opSegment = path[path.length - 1]?.toLowerCase();
    if (req.method === "POST" && (opSegment === "wrapkey" || opSegment === "unwrapkey")) {
      const op = opSegment === "wrapkey" ? "wrapKey" : "unwrapKey";
      const body = JSON.parse((await readBody(req)) || "{}") as { alg?: string; value?: string };
      if (!may(op)) return denied(res, t, op, `Microsoft.KeyVault/vaults/keys/${op === "wrapKey" ? "wrap" : "unwrap"}/action`, name), true;
      if (!versions) return kvError(res, 404, "KeyNotFound", notFoundText(name)), true;
      const versionId = path.length === 4 ? path[2] : "";
      const v = versionId ? versions.find((x) => x.id === versionId) : versions[versions.length - 1];
      if (!v) return kvError(res, 404, "KeyNotFound", notFoundText(`${name}/${versionId}`)), true;
      const refusal = stateRefusal(name, v, op);
      if (refusal) return kvError(res, 403, "Forbidden", refusal.message, refusal.inner), true;
      if (body.alg !== "RSA-OAEP-256" && body.alg !== "RSA-OAEP") return kvError(res, 400, "BadParameter", `Invalid algorithm: ${body.alg}`), true;
      if (!v.privateKey) return kvError(res, 400, "BadParameter", "Key and algorithm are not compatible."), true;
      const value = Buffer.from(body.value ?? "", "base64url");
      const padding = { key: v.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: body.alg === "RSA-OAEP-256" ? "sha256" : "sha1" };
      try {
        let out = op === "wrapKey" ? publicEncrypt(padding, value) : privateDecrypt(padding, value);
        if (op === "unwrapKey" && scenario.vault.corruptUnwrap) out = randomBytes(out.length);
        json(res, 200, { kid: `${base}/keys/${name}/${v.id}`, value: out.toString("base64url") });
      } catch {
        kvError(res, 400, "BadParameter", "Bad Request");
      }
      return true;
    }
    // GET /keys/{name}/{version?}
    if (req.method === "GET") {
      if (!may("get")) return denied(res, t, "get", "Microsoft.KeyVault/vaults/keys/read", name), true;
      if (!versions) return kvError(res, 404, "KeyNotFound", notFoundText(name)), true;
      const versionId = path[2] ?? "";
      const v = versionId ? versions.find((x) => x.id === versionId) : versions[versions.length - 1];
      if (!v) return kvError(res, 404, "KeyNotFound", notFoundText(`${name}/${versionId}`)), true;
      if (v.attrs.enabled === false) return kvError(res, 403, "Forbidden", "Operation get is not allowed on a disabled key.", "KeyDisabled"), true;
      json(res, 200, keyBundle(name, v));
      return true;
    }
    return false;
  }

  function notFoundText(name: string): string {
    return `A key with (name/id) ${name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`;
  }

  /** What Key Vault refuses because of the key's own state: disabled, outside nbf/exp (exp blocks only new wraps), key_ops. */
  function stateRefusal(name: string, v: Version, op: string): { message: string; inner: string } | undefined {
    const k = scenario.keys.find((x) => x.name === name)!;
    if (v.attrs.enabled === false) return { message: `Operation ${op} is not allowed on a disabled key.`, inner: "KeyDisabled" };
    if (v.attrs.nbf !== undefined && v.attrs.nbf > now()) return { message: `Operation ${op} is not allowed before the key's activation date (nbf).`, inner: "KeyNotYetValid" };
    if (op === "wrapKey" && v.attrs.exp !== undefined && v.attrs.exp < now()) return { message: `Operation ${op} is not allowed on an expired key.`, inner: "KeyExpired" };
    if (k.ops && !k.ops.includes(op)) return { message: `Operation ${op} is not permitted on this key: it is not in the key's key_ops.`, inner: "KeyOperationForbidden" };
    return undefined;
  }

  // ---- Resource Manager: GET /subscriptions/{sub}/providers/Microsoft.KeyVault/vaults ----
  function arm(req: IncomingMessage, res: ServerResponse, path: string[]): boolean {
    if (path[0] !== "subscriptions") return false;
    const auth = req.headers.authorization;
    const t = auth?.startsWith("Bearer ") ? tokens.get(auth.slice(7)) : undefined;
    if (!t || t.aud.replace(/\/$/, "") !== ARM_AUDIENCE) {
      json(res, 401, { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } }, { "www-authenticate": `Bearer authorization_uri="${base}/${scenario.vault.tenantId}", error="invalid_token"` });
      return true;
    }
    const sub = path[1] ?? "";
    if (sub !== scenario.subscriptionId) {
      json(res, 404, { error: { code: "SubscriptionNotFound", message: `The subscription '${sub}' could not be found.` } });
      return true;
    }
    if (!scenario.armReaders.includes(t.oid)) {
      json(res, 403, { error: { code: "AuthorizationFailed", message: `The client '${t.appid}' with object id '${t.oid}' does not have authorization to perform action 'Microsoft.KeyVault/vaults/read' over scope '/subscriptions/${sub}' or the scope is invalid. If access was recently granted, please refresh your credentials.` } });
      return true;
    }
    const v = scenario.vault;
    json(res, 200, {
      value: [{
        id: vaultResourceId,
        name: v.name,
        type: "Microsoft.KeyVault/vaults",
        location: "westeurope",
        tags: {},
        properties: {
          sku: { family: "A", name: "standard" },
          tenantId: v.tenantId,
          accessPolicies: v.rbac ? [] : Object.entries(scenario.grants).map(([objectId, perms]) => ({ tenantId: v.tenantId, objectId, permissions: { keys: perms, secrets: [], certificates: [] } })),
          enabledForDeployment: false,
          enabledForDiskEncryption: false,
          enabledForTemplateDeployment: false,
          enableSoftDelete: v.softDelete !== false,
          softDeleteRetentionInDays: 90,
          enableRbacAuthorization: v.rbac,
          ...(v.purgeProtection ? { enablePurgeProtection: true } : {}),
          vaultUri: `https://${v.name}.vault.azure.net/`,
          provisioningState: "Succeeded",
          publicNetworkAccess: v.publicNetworkAccess ?? "Enabled",
          networkAcls: { bypass: "AzureServices", defaultAction: v.defaultAction ?? "Allow", ipRules: (v.ipRules ?? []).map((value) => ({ value })), virtualNetworkRules: [] },
          privateEndpointConnections: [],
        },
      }],
    });
    return true;
  }

  const https = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    requests.push(`${req.method} ${url.pathname}`);
    const path = url.pathname.split("/").slice(1).map(decodeURIComponent);
    void (async () => {
      try {
        if (arm(req, res, path)) return;
        if (await keyVault(req, res, path)) return;
        if (await entra(req, res, path)) return;
        json(res, 404, { error: { code: "NotFound", message: `emulator: no route for ${req.method} ${url.pathname}` } });
      } catch (err) {
        if (!res.headersSent) json(res, 500, { error: { code: "InternalError", message: String(err) } });
      }
    })();
  });
  const httpsListener = await listenOnLoopback(https);
  base = `https://${LOOPBACK}:${httpsListener.port}`;

  // ---- Instance metadata: managed identity tokens ----
  // One IMDS listener per test process, answering for the emulator started last: MSAL keeps the managed identity
  // endpoint it found for the whole process (ManagedIdentityClient's static source), as Vault's process does.
  const imds = await sharedImds();
  imds.handler = (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(`IMDS ${req.method} ${url.pathname}`);
    if (scenario.imdsDown) return void req.socket.destroy();
    // MSAL builds AZURE_POD_IDENTITY_AUTHORITY_HOST + "/metadata/identity/oauth2/token" through URL, which may add a "/".
    if (url.pathname.replace(/\/$/, "") !== "/metadata/identity/oauth2/token") return json(res, 404, { error: "not_found" });
    if (req.headers.metadata !== "true") return json(res, 400, { error: "invalid_request", error_description: "Required metadata header not specified" });
    const resource = url.searchParams.get("resource") ?? "";
    const clientId = url.searchParams.get("client_id");
    const resourceId = url.searchParams.get("msi_res_id") ?? url.searchParams.get("mi_res_id");
    const mi = resourceId ? undefined : clientId ? scenario.managedIdentities.find((m) => m.clientId === clientId) : scenario.managedIdentities.length === 1 ? scenario.managedIdentities[0] : undefined;
    if (!mi) return json(res, 400, { error: "invalid_request", error_description: "Identity not found" });
    const t = issue(resource.replace(/\/$/, ""), mi.objectId, mi.clientId, mi.tenantId);
    json(res, 200, { access_token: t.token, client_id: mi.clientId, expires_in: String(t.expiresIn), expires_on: String(now() + t.expiresIn), ext_expires_in: String(t.expiresIn), not_before: String(now()), resource, token_type: "Bearer" });
  };
  const imdsBase = imds.base;

  return {
    base,
    imdsBase,
    caFile,
    scenario,
    requests,
    env: {
      AZURE_AUTHORITY_HOST: base,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: imdsBase,
      AZURE_SUBSCRIPTION_ID: scenario.subscriptionId,
      VAULT_KMS_DOCTOR_AZURE_KEYVAULT_URL: `${base}/`,
      VAULT_KMS_DOCTOR_AZURE_ARM_URL: base,
      VAULT_KMS_DOCTOR_AZURE_CA_FILE: caFile,
    },
    async close() {
      imds.handler = undefined;
      await httpsListener.close();
    },
  };
}
