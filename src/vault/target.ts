// Which running Vault to ask, and how to trust it: --vault-addr / --ca-cert / --tls-skip-verify, else the
// variables the vault CLI reads (VAULT_ADDR, VAULT_CACERT, VAULT_SKIP_VERIFY). The target travels in the run
// options, never as VAULT_ADDR itself: Vault copies VAULT_ADDR into a transit seal's address.
import type { Argv } from "yargs";
import { UsageError } from "../exit-codes.js";
import { parseGoBool } from "../go-bool.js";

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

/** BAO_<name> when it is set (OpenBao's clients read it first), else VAULT_<name>. */
function baoOrVault(env: NodeJS.ProcessEnv, name: string): { name: string; value?: string } {
  return env[`BAO_${name}`] !== undefined ? { name: `BAO_${name}`, value: env[`BAO_${name}`] } : { name: `VAULT_${name}`, value: env[`VAULT_${name}`] };
}

/** The Vault to ask, or undefined when neither --vault-addr nor VAULT_ADDR is set. */
export function vaultTarget(argv: Record<string, unknown>, env: NodeJS.ProcessEnv): VaultTarget | undefined {
  const flag = (name: string) => (typeof argv[name] === "string" && argv[name] !== "" ? (argv[name] as string) : undefined);
  const flagAddr = flag("vault-addr");
  // The bao CLI's order (openbao v2.6.2 api/client.go: ReadBaoVariable("BAO_ADDR"), api/env.go): a BAO_ variable
  // that is set, even empty, hides the VAULT_ one.
  const envAddr = baoOrVault(env, "ADDR");
  const addr = flagAddr ?? (envAddr.value || undefined);
  if (!addr) return undefined;
  if (flagAddr) parseVaultAddr(flagAddr, "--vault-addr");
  const clean = withoutCredentials(addr);
  return {
    addr: clean.addr.replace(/\/+$/, ""),
    credentialsIgnored: clean.dropped || undefined,
    addrFrom: flagAddr ? "flag --vault-addr" : `env ${envAddr.name}`,
    caCert: flag("ca-cert") ?? (baoOrVault(env, "CACERT").value || undefined),
    skipVerify: argv["tls-skip-verify"] === true || parseGoBool(baoOrVault(env, "SKIP_VERIFY").value) === true,
  };
}
