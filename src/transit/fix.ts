// Fix commands for the transit seal, filled with the real address, mount and key and shell-quoted: the
// `vault` CLI (OpenBao's `bao` takes the same arguments) against the transit cluster.
import type { Fix } from "../model.js";
import { joinPath } from "./settings.js";

/** A word for the shell: bare when safe, else single-quoted. */
export function sq(value: string): string {
  return /^[A-Za-z0-9_.:/@+=,%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `VAULT_ADDR=<addr> vault …` */
export function vaultCmd(addr: string, args: string): string {
  return `VAULT_ADDR=${sq(addr)} vault ${args}`;
}

/** The least policy the seal needs: update on the key's encrypt and decrypt paths. */
export function sealPolicyHcl(mount: string, key: string): string {
  return `path ${JSON.stringify(joinPath(mount, "encrypt", key))} { capabilities = ["update"] }\npath ${JSON.stringify(joinPath(mount, "decrypt", key))} { capabilities = ["update"] }`;
}

export function policyCommand(addr: string, mount: string, key: string, policy = "autounseal"): string {
  return `${vaultCmd(addr, `policy write ${sq(policy)} -`)} <<'EOF'\n${sealPolicyHcl(mount, key)}\nEOF`;
}

export function tokenCommand(addr: string, policy = "autounseal"): string {
  return vaultCmd(addr, `token create -orphan -policy=${sq(policy)} -period=24h`);
}

export function policyAndTokenFix(addr: string, mount: string, key: string): Fix {
  return {
    summary: "Give the seal a periodic orphan token whose policy allows update on the key's encrypt and decrypt paths, and put it in the stanza's token.",
    commands: [policyCommand(addr, mount, key), tokenCommand(addr)],
  };
}
