// What the transit seal's client really uses, per target server: which of the file, the wrapper's own
// variables and the API client's variables wins for each setting. The two servers differ:
//
// HashiCorp Vault: internalshared/configutil/kms.go configureWrapper + mergeTransitConfig copies
//   TransitEnvVars (env_var_util.go: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, VAULT_CLIENT_CERT,
//   VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME, VAULT_SKIP_VERIFY, TRANSIT_WRAPPER_* / VAULT_TRANSIT_SEAL_* for
//   key_name, mount_path, disable_renewal) over the stanza, except that the file's `token` and `address` win
//   (TransitPrioritizeConfigValues) and any tls_* in the file drops all TLS variables (TransitTLSConfigVars);
//   GetTransitKMSFunc then calls SetConfig WithDisallowEnvVars(true).
// OpenBao 2.6 (openbao/openbao v2.6.2 go.mod: openbao/go-kms-wrapping/wrappers/transit/v2 v2.8.0, built in by
//   helper/kmsplugin/wrapper.go with no overlay and env vars allowed): wrappers/transit/transit_client.go
//   newTransitClient reads TRANSIT_WRAPPER_X, then VAULT_TRANSIT_SEAL_X, then the file for mount_path, key_name,
//   disable_renewal, address and token; VAULT_NAMESPACE before the file's namespace.
// Both then build the client with api.DefaultConfig() / api.NewClient (openbao api/client.go ReadEnvironment,
//   NewClient; BAO_X before VAULT_X per api/env.go ReadBaoVariable): the environment's address, token and
//   namespace fill whatever the wrapper left empty, and *_AGENT_ADDR replaces the address outright. So a stray
//   BAO_TOKEN / VAULT_TOKEN in the server's environment silently becomes the seal token when the stanza has none.
import type { SealConfig, ResolvedValue } from "../config/seal-config.js";
import { resolveIndirection } from "../config/load.js";
import type { TargetServer } from "../targets/server-behaviour.js";

export type Source = { kind: "file"; line?: number; file?: string } | { kind: "env"; name: string } | { kind: "default" };

export interface Setting {
  value: string;
  from: Source;
}

export interface TransitSettings {
  target: TargetServer;
  address: Setting;
  /** The API client's agent address variable: replaces `address` for every request (api/client.go NewClient). */
  agentAddress?: Setting;
  token?: Setting;
  mountPath?: Setting;
  keyName?: Setting;
  namespace?: Setting;
  disableRenewal?: Setting;
  caCert?: Setting;
  caPath?: Setting;
  clientCert?: Setting;
  clientKey?: Setting;
  serverName?: Setting;
  skipVerify?: Setting;
  keyIdPrefix?: Setting;
  /** Problems resolving env:// or file:// values. */
  resolveErrors: string[];
}

export const DEFAULT_ADDRESS = "https://127.0.0.1:8200";

/** The value the file gave a setting (before any environment overlay), after env:// / file:// indirection. */
function fileValue(seal: SealConfig, key: string, env: NodeJS.ProcessEnv, errors: string[]): Setting | undefined {
  const v: ResolvedValue | undefined = seal.values[key];
  if (!v) return undefined;
  let picked: { value: string; from: ResolvedValue["from"]; indirection?: string } | undefined;
  if (v.from.kind !== "env") picked = v;
  else picked = v.overridden?.find((o) => o.from.kind !== "env");
  if (!picked) return undefined;
  let value = picked.value;
  // The generic loader resolves indirection only on the winning value; an overridden file value is raw.
  if (/^(env|file|string):\/\//.test(value) && (key === "token" || key === "tls_client_key")) {
    const r = resolveIndirection(value, { env });
    if (r.error) errors.push(`${key}: ${r.error}`);
    value = r.value;
  }
  if (v.resolveError && picked === v) errors.push(`${key}: ${v.resolveError}`);
  if (value === "") return undefined;
  const from = picked.from as { kind: string; file?: string; line?: number };
  return { value, from: { kind: "file", file: from.file, line: from.line } };
}

function envValue(env: NodeJS.ProcessEnv, name: string): Setting | undefined {
  const v = env[name];
  return v !== undefined && v !== "" ? { value: v, from: { kind: "env", name } } : undefined;
}

/** OpenBao's ReadBaoVariable: BAO_X when it is set at all (even empty), else VAULT_X. Vault reads VAULT_X only. */
function apiVar(env: NodeJS.ProcessEnv, target: TargetServer, suffix: string): Setting | undefined {
  if (target === "openbao") {
    if (env[`BAO_${suffix}`] !== undefined) return envValue(env, `BAO_${suffix}`);
    return envValue(env, `VAULT_${suffix}`);
  }
  return envValue(env, `VAULT_${suffix}`);
}

const first = (...xs: (Setting | undefined)[]) => xs.find((x) => x !== undefined);

export function resolveTransitSettings(seal: SealConfig, env: NodeJS.ProcessEnv, target: TargetServer): TransitSettings {
  const errors: string[] = [];
  const file = (k: string) => fileValue(seal, k, env, errors);
  const wrapperVars = (suffix: string) => first(envValue(env, `TRANSIT_WRAPPER_${suffix}`), envValue(env, `VAULT_TRANSIT_SEAL_${suffix}`));
  const bao = target === "openbao";
  // Vault copies the TRANSIT_WRAPPER_* / VAULT_TRANSIT_SEAL_* variables over the file from a Go map (random
  // order when both are set); the doctor names the first, config.env-overrides warns about the conflict.
  const mountPath = first(wrapperVars("MOUNT_PATH"), file("mount_path"));
  const keyName = first(wrapperVars("KEY_NAME"), file("key_name"));
  const disableRenewal = first(wrapperVars("DISABLE_RENEWAL"), file("disable_renewal"));
  const address = bao
    ? first(wrapperVars("ADDR"), file("address"), apiVar(env, target, "ADDR"))
    : first(file("address"), apiVar(env, target, "ADDR"));
  const token = bao
    ? first(wrapperVars("TOKEN"), file("token"), apiVar(env, target, "TOKEN"))
    : first(file("token"), apiVar(env, target, "TOKEN"));
  const namespace = bao
    ? first(envValue(env, "VAULT_NAMESPACE"), file("namespace"), apiVar(env, target, "NAMESPACE"))
    : first(envValue(env, "VAULT_NAMESPACE"), file("namespace"));
  // TLS: the API client reads its variables first (ReadEnvironment), then ConfigureTLS applies the file's
  // settings field by field; tls_skip_verify only ever turns verification off.
  const tls = (key: string, suffix: string) => first(file(key), apiVar(env, target, suffix));
  const skipFile = file("tls_skip_verify");
  const skipEnv = apiVar(env, target, "SKIP_VERIFY");
  const truthy = (s?: Setting) => s !== undefined && /^(1|t|true)$/i.test(s.value.trim());
  const skipVerify = truthy(skipFile) ? skipFile : truthy(skipEnv) ? skipEnv : skipFile;
  return {
    target,
    address: address ?? { value: DEFAULT_ADDRESS, from: { kind: "default" } },
    agentAddress: apiVar(env, target, "AGENT_ADDR"),
    token,
    mountPath,
    keyName,
    namespace,
    disableRenewal,
    caCert: tls("tls_ca_cert", "CACERT"),
    caPath: tls("tls_ca_path", "CAPATH"),
    clientCert: tls("tls_client_cert", "CLIENT_CERT"),
    clientKey: tls("tls_client_key", "CLIENT_KEY"),
    serverName: tls("tls_server_name", "TLS_SERVER_NAME"),
    skipVerify,
    keyIdPrefix: file("key_id_prefix"),
    resolveErrors: errors,
  };
}

export function describeSource(s: Source): string {
  if (s.kind === "env") return `environment variable ${s.name}`;
  if (s.kind === "file") return s.file ? `${s.file}${s.line ? `:${s.line}` : ""}` : "the seal stanza";
  return "the API client's default";
}

export function isTrue(s?: Setting): boolean {
  return s !== undefined && /^(1|t|true)$/i.test(s.value.trim());
}

/** path.Join as the wrapper does it: `<mount>/encrypt/<key>` with duplicate and edge slashes removed. */
export function joinPath(...parts: string[]): string {
  return parts.join("/").split("/").filter((x) => x !== "" && x !== ".").join("/");
}
