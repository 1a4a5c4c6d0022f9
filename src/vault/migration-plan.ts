// The seal-migration procedure for one direction, as ordered operator steps with the keys each step needs,
// and the way back. Source: https://developer.hashicorp.com/vault/docs/concepts/seal#seal-migration
// (migration since Vault 1.5.1: standbys first, the migration happens when a migrated node becomes active;
// Shamir unseal keys become recovery keys when moving to auto-unseal, recovery keys become unseal keys when
// moving back to Shamir) and https://support.hashicorp.com/hc/en-us/articles/360002040848-Seal-Migration.
import { readBoundedText } from "../fs/read-bounded.js";
import { escapeForText, neutraliseWorkflowCommands } from "../report/terminal-text.js";
import { sh } from "../shell.js";
import type { SealConfig, VaultConfig } from "../config/seal-config.js";
import { formatProvenance } from "../config/seal-config.js";
import { UsageError } from "../exit-codes.js";
import type { Target } from "../targets/target.js";
import { versionAtLeast } from "../targets/target.js";

/**
 * The commands and names of the target server. OpenBao's procedure is Vault's (openbao v2.6.2
 * website/content/docs/concepts/seal.mdx "Seal migration": standbys first with `-migrate`, then the active node,
 * Shamir keys become recovery keys) with its own CLI (`bao`, BAO_ADDR), its package's unit `openbao`
 * (.release/linux/package/usr/lib/systemd/system/openbao.service, config /etc/openbao/openbao.hcl) and BAO_SEAL_TYPE.
 */
function serverNames(target?: Target) {
  return target?.server === "openbao"
    ? { cli: "bao", addrVar: "BAO_ADDR", unit: "openbao", pod: "openbao-1", product: "OpenBao", sealTypeVar: "BAO_SEAL_TYPE (and VAULT_SEAL_TYPE)", sealTypeGrep: "'BAO_SEAL_TYPE\\|VAULT_SEAL_TYPE'" }
    : { cli: "vault", addrVar: "VAULT_ADDR", unit: "vault", pod: "vault-1", product: "Vault", sealTypeVar: "VAULT_SEAL_TYPE", sealTypeGrep: "VAULT_SEAL_TYPE" };
}

/** The cloud seals OpenBao 2.7 no longer builds in (openbao main go.mod dropped go-kms-wrapping wrappers/awskms, gcpckms, azurekeyvault, ocikms, alicloudkms). */
const OPENBAO_PLUGIN_ONLY = ["awskms", "gcpckms", "azurekeyvault", "ocikms", "alicloudkms"];

export type MigrationDirection = "shamir-to-auto" | "auto-to-auto" | "auto-to-shamir";

export interface PlanStep {
  text: string;
  commands: string[];
}

export interface MigrationPlan {
  direction: MigrationDirection;
  from: string;
  to: string;
  /** Names of the old (disabled) and new (enabled) seal blocks. */
  oldSeal?: string;
  newSeal?: string;
  ha: boolean;
  keys: { enter: string; after: string };
  steps: PlanStep[];
  rollback: PlanStep[];
}

export interface DirectionInput {
  /** --from: "shamir", or the old seal's type (must match the disabled block). */
  from?: string;
  /** seal-status `type` of the running Vault, when known. */
  liveType?: string;
}

/** Which migration this config describes. A config without a disabled seal is Shamir -> auto only when told so. */
export function detectDirection(config: VaultConfig, input: DirectionInput = {}): { direction: MigrationDirection; from: string; to: string; oldSeal?: SealConfig; newSeal?: SealConfig } {
  const enabled = config.seals.filter((s) => !s.disabled);
  const disabled = config.seals.filter((s) => s.disabled);
  if (disabled.length > 1) throw new UsageError(`${disabled.length} disabled seals: a migration has one old seal (disabled = "true"); fix the layout first`);
  if (enabled.length > 1) throw new UsageError(`${enabled.length} enabled seals: a migration has one new seal; fix the layout first (several enabled seals is seal HA, Vault Enterprise)`);
  const old = disabled[0];
  const next = enabled[0];
  if (old) {
    if (input.from && input.from !== old.type) throw new UsageError(`--from ${input.from}, but the config's disabled (old) seal is ${old.type} (${formatProvenance(old.from)})`);
    return next
      ? { direction: "auto-to-auto", from: old.type, to: next.type, oldSeal: old, newSeal: next }
      : { direction: "auto-to-shamir", from: old.type, to: "shamir", oldSeal: old };
  }
  if (!next) throw new UsageError("no seal block in the config: Vault uses Shamir and there is nothing to migrate to");
  if (input.from === "shamir" || (!input.from && input.liveType === "shamir")) {
    return { direction: "shamir-to-auto", from: "shamir", to: next.type, newSeal: next };
  }
  if (input.from) throw new UsageError(`--from ${input.from}: the config has no disabled seal; to migrate from ${input.from}, keep its block with disabled = "true" next to the new one`);
  throw new UsageError(`the config holds one enabled ${next.type} seal and no disabled seal: for Shamir -> ${next.type} pass --from shamir (or --vault-addr, so the running Vault's seal type can be read); for a migration from another auto-unseal seal, keep the old block with disabled = "true"`);
}

/** The storage backend named in the config files ("raft", "consul", ...), read from the HCL or JSON text. */
export function configStorage(config: VaultConfig): { type?: string; ha: boolean } {
  let type: string | undefined;
  let ha = false;
  for (const file of config.files) {
    let text = "";
    try {
      text = readBoundedText(file, "config");
    } catch {
      continue;
    }
    type ??= /(^|\n)\s*storage\s+"(\w+)"/.exec(text)?.[2] ?? /"storage"\s*:\s*\{\s*"(\w+)"/.exec(text)?.[1];
    if (/(^|\n)\s*ha_storage\s+"/.test(text) || /ha_enabled\s*=\s*"?true/.test(text)) ha = true;
  }
  return { type, ha: ha || type === "raft" || type === "consul" };
}

export function migrationPlan(config: VaultConfig, input: DirectionInput & { ha?: boolean; vaultAddr?: string; target?: Target }): MigrationPlan {
  const d = detectDirection(config, input);
  const n = serverNames(input.target);
  const storage = configStorage(config);
  const ha = input.ha ?? storage.ha;
  const addr = input.vaultAddr ?? `<${n.addrVar}>`;
  const at = input.vaultAddr ? `${n.addrVar}=${input.vaultAddr} ` : "";
  const keys = {
    "shamir-to-auto": { enter: "the current Shamir unseal keys", after: `the same key shares become recovery keys: from now on ${d.to} unseals ${n.product}, and the shares can no longer unseal it` },
    "auto-to-auto": { enter: "the recovery keys", after: `the recovery keys stay the same; ${d.to} unseals ${n.product} from now on` },
    "auto-to-shamir": { enter: "the recovery keys", after: "the recovery key shares become the Shamir unseal keys: every restart now needs the threshold of them, entered by hand" },
  }[d.direction];
  const configChange = {
    "shamir-to-auto": `add the seal "${d.to}" block, as in this config`,
    "auto-to-auto": `keep the old seal "${d.from}" block with disabled = "true" and add the new seal "${d.to}" block, as in this config`,
    "auto-to-shamir": `set disabled = "true" in the seal "${d.from}" block and add no other seal, as in this config`,
  }[d.direction];
  // The config files this run read, quoted; a run from flags names the file it does not know.
  const files = config.files.length ? config.files : [];
  const configArgs = files.length ? files.map((f) => sh`--config ${f}`).join(" ") : "--config \"$VAULT_CONFIG\"   # VAULT_CONFIG: the config file Vault starts with (not known to this run)";
  const backup = files.length ? files.map((f) => sh`cp -p ${f} ${`${f}.pre-migration`}`).join(" && ") : "cp -p \"$VAULT_CONFIG\" \"$VAULT_CONFIG.pre-migration\"";
  const restore = files.length ? files.map((f) => sh`cp -p ${`${f}.pre-migration`} ${f}`).join(" && ") : "cp -p \"$VAULT_CONFIG.pre-migration\" \"$VAULT_CONFIG\"";
  const unseal = `${n.addrVar}=<NODE_ADDR> ${n.cli} operator unseal -migrate   # once per key, ${keys.enter}, up to the threshold`;
  const steps: PlanStep[] = [
    storage.type === "raft"
      ? { text: "Take a snapshot first.", commands: [`${at}${n.cli} operator raft snapshot save pre-seal-migration.snap`] }
      : { text: `Back up the storage backend first (${storage.type ?? "storage"}${storage.type === "consul" ? ": consul snapshot save" : ""}).`, commands: storage.type === "consul" ? ["consul snapshot save pre-seal-migration.snap"] : [] },
    { text: `Run this preflight where each ${n.product} node runs (same credentials and network): the new seal must work fully and the old one must still decrypt.`, commands: [`vault-kms-doctor migrate ${configArgs}${input.target?.server === "openbao" ? " --target openbao" : ""}`] },
    { text: "On each node, keep a copy of the config as it is now, before changing it: the rollback puts it back.", commands: [backup] },
    { text: `Make sure ${n.sealTypeVar} is not set where ${n.product} runs: it overrides the enabled seal's type.`, commands: [`systemctl show ${n.unit} -p Environment | grep -c ${n.sealTypeGrep}   # expect 0`] },
  ];
  const pluginTypes = input.target?.server === "openbao" && versionAtLeast(input.target.version ?? "2.6", "2.7")
    ? [...new Set([d.from, d.to].filter((t) => OPENBAO_PLUGIN_ONLY.includes(t)))]
    : [];
  if (pluginTypes.length > 0) {
    steps.push({ text: `OpenBao ${input.target!.version} no longer builds in ${pluginTypes.join(" and ")}: each node needs plugin "kms" "${pluginTypes.join("\" and plugin \"kms\" \"")}" (binary in plugin_directory, sha256sum) for the old and the new seal alike, until the migration is done (config.kms-plugins checks them).`, commands: [] });
  }
  if (ha) {
    steps.push(
      { text: `On each standby node, one at a time: stop ${n.product}, change its config (${configChange}), start it. It comes up sealed with a migration pending.`, commands: [`systemctl stop ${n.unit}   # or: kubectl delete pod ${n.pod} (after updating the config)`, `systemctl start ${n.unit}`] },
      { text: `Unseal that standby with -migrate and ${keys.enter}.`, commands: [unseal, `${n.addrVar}=<NODE_ADDR> ${n.cli} status   # Seal Migration in Progress: true until the migration completes`] },
      { text: "When every standby has been restarted and unsealed with -migrate, stop the active node (SIGTERM; do not use step-down). A migrated standby becomes active and performs the migration.", commands: [`systemctl stop ${n.unit}   # on the active node`] },
      { text: `Change the old active node's config the same way and start it; it joins as a standby of the migrated cluster. If it reports a migration pending, unseal it with -migrate and ${keys.enter}.`, commands: [`systemctl start ${n.unit}`] },
    );
  } else {
    steps.push(
      { text: `Stop ${n.product}, change its config (${configChange}), start it. It comes up sealed with a migration pending.`, commands: [`systemctl stop ${n.unit}`, `systemctl start ${n.unit}`] },
      { text: `Unseal with -migrate and ${keys.enter}; the migration completes when the node becomes active.`, commands: [unseal.replace(`${n.addrVar}=<NODE_ADDR> `, at)] },
    );
  }
  steps.push(
    { text: `Check the result: seal type ${d.to}, no migration pending. From now on ${keys.after}.`, commands: [`vault-kms-doctor check ${configArgs.replace(/   #.*$/, "")} --vault-addr ${addr}`, `${at}${n.cli} status`] },
  );
  if (d.direction !== "shamir-to-auto") {
    steps.push({ text: `Once every node runs ${d.to}, remove the disabled "${d.from}" block at the next restart. Keep the old ${d.from} key (do not disable or schedule its deletion) until you no longer need the rollback or the pre-migration snapshot.`, commands: [] });
  }
  const reverse = {
    "shamir-to-auto": `migrate back: set disabled = "true" in the seal "${d.to}" block, restart (standbys first) and unseal with -migrate and the recovery keys; they become unseal keys again. The ${d.to} key must still decrypt.`,
    "auto-to-auto": `migrate back: mark the "${d.to}" block disabled = "true", enable the "${d.from}" block again, restart (standbys first) and unseal with -migrate and the recovery keys. The ${d.from} key must still exist and decrypt.`,
    "auto-to-shamir": `migrate back: add the seal "${d.from}" block again (enabled), restart (standbys first) and unseal with -migrate and the unseal keys; they become recovery keys again.`,
  }[d.direction];
  const rollback: PlanStep[] = [
    { text: "Before any migrated node became active: stop the restarted nodes, put the previous config back and start them; they unseal as before (no -migrate).", commands: [`systemctl stop ${n.unit} && ${restore} && systemctl start ${n.unit}`] },
    { text: `After the migration completed: ${reverse}`, commands: [] },
    { text: "Last resort: restore the pre-migration snapshot with the previous seal config (the old seal must still decrypt).", commands: storage.type === "raft" ? [`${at}${n.cli} operator raft snapshot restore -force pre-seal-migration.snap`] : [] },
  ];
  return { direction: d.direction, from: d.from, to: d.to, oldSeal: d.oldSeal?.name, newSeal: d.newSeal?.name, ha, keys, steps, rollback };
}

export function renderPlanText(raw: MigrationPlan): string {
  const plan = escapeForText(raw);
  const lines = [
    "",
    `Seal migration plan: ${plan.from} -> ${plan.to} (${plan.ha ? "HA cluster: standbys first" : "single node"})`,
    `  Keys to enter with -migrate: ${plan.keys.enter}.`,
    `  Afterwards: ${plan.keys.after}.`,
    "",
    "  Steps:",
  ];
  plan.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.text}`);
    for (const c of s.commands) lines.push(`       ${c}`);
  });
  lines.push("", "  Rollback:");
  plan.rollback.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.text}`);
    for (const c of s.commands) lines.push(`       ${c}`);
  });
  return neutraliseWorkflowCommands(`${lines.join("\n")}\n`);
}
