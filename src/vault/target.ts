// Which running Vault to ask, and how to trust it: --vault-addr / --ca-cert / --tls-skip-verify, else the
// variables the vault CLI reads (VAULT_ADDR, VAULT_CACERT, VAULT_SKIP_VERIFY).
// The flags travel to the checks as VAULT_KMS_DOCTOR_* variables, never as VAULT_ADDR itself: Vault copies
// VAULT_ADDR into a transit seal's address, so setting it would change the config under check.
import type { Argv } from "yargs";
import { UsageError } from "../exit-codes.js";

export const FLAG_ENV = {
  addr: "VAULT_KMS_DOCTOR_VAULT_ADDR",
  caCert: "VAULT_KMS_DOCTOR_VAULT_CACERT",
  skipVerify: "VAULT_KMS_DOCTOR_VAULT_SKIP_VERIFY",
} as const;

export interface VaultTarget {
  addr: string;
  /** "flag --vault-addr" or "env VAULT_ADDR" */
  addrFrom: string;
  caCert?: string;
  skipVerify: boolean;
  /** The address carried user:password@ (or user@): dropped, never sent as Basic auth, never printed. */
  credentialsIgnored?: boolean;
}

/** `http://user:pass@vault:8200` -> `http://vault:8200`, and whether anything was dropped. */
function withoutCredentials(addr: string): { addr: string; dropped: boolean } {
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    // Not a URL: nothing can be sent to it; redactText still hides a user:password@ in whatever is printed.
    return { addr, dropped: false };
  }
  if (!url.username && !url.password) return { addr, dropped: false };
  url.username = "";
  url.password = "";
  return { addr: url.toString(), dropped: true };
}

export function vaultOptions(y: Argv): Argv<any> {
  return y
    .option("vault-addr", { type: "string", describe: "Also read this running Vault's /v1/sys/seal-status and /v1/sys/health (no token needed; default VAULT_ADDR)" })
    .option("ca-cert", { type: "string", describe: "PEM CA bundle to verify the Vault server's TLS certificate (default VAULT_CACERT)" })
    .option("tls-skip-verify", { type: "boolean", describe: "Do not verify the Vault server's TLS certificate (as VAULT_SKIP_VERIFY); insecure" });
}

/** The environment the checks see: the caller's, plus the Vault flags under their own names. */
export function envWithVaultFlags(argv: Record<string, any>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (typeof argv["vault-addr"] === "string" && argv["vault-addr"] !== "") {
    parseVaultAddr(argv["vault-addr"], "--vault-addr");
    out[FLAG_ENV.addr] = argv["vault-addr"];
  }
  if (typeof argv["ca-cert"] === "string" && argv["ca-cert"] !== "") out[FLAG_ENV.caCert] = argv["ca-cert"];
  if (argv["tls-skip-verify"] === true) out[FLAG_ENV.skipVerify] = "true";
  return out;
}

/** Go's strconv.ParseBool, which the vault CLI uses for VAULT_SKIP_VERIFY. */
export function parseGoBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

export function parseVaultAddr(raw: string, from: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} ${JSON.stringify(withoutCredentials(raw).addr)}: expected a URL such as https://127.0.0.1:8200`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${from} ${withoutCredentials(raw).addr}: only http:// and https:// addresses are supported`);
  return url;
}

/** The Vault to ask, or undefined when neither --vault-addr nor VAULT_ADDR is set. */
export function vaultTargetFromEnv(env: NodeJS.ProcessEnv): VaultTarget | undefined {
  const flagAddr = env[FLAG_ENV.addr];
  const addr = flagAddr || env.VAULT_ADDR;
  if (!addr) return undefined;
  const clean = withoutCredentials(addr);
  const skip = env[FLAG_ENV.skipVerify] === "true" || parseGoBool(env.VAULT_SKIP_VERIFY) === true;
  return {
    addr: clean.addr.replace(/\/+$/, ""),
    credentialsIgnored: clean.dropped || undefined,
    addrFrom: flagAddr ? "flag --vault-addr" : "env VAULT_ADDR",
    caCert: env[FLAG_ENV.caCert] || env.VAULT_CACERT || undefined,
    skipVerify: skip,
  };
}
