// How many seals, which are enabled, and whether Vault will accept the layout at all.
// Source: vault command/server/config_util.go checkSealConfig (CE), command/server/config.go CheckConfig and
// command/server.go VAULT_SEAL_TYPE (docs/vault-seal-facts.md#reading-the-config).
// OpenBao (target openbao) has its own, looser rules and no seal HA, each seen from a real `bao server` 2.6.2:
// openbao v2.6.2 helper/configutil/kms.go parseKMS (at most 3 `seal` blocks per file: "only two or less"; every key
// but `disabled` and `purpose`, so also `name` and `priority`, goes to the wrapper, which ignores it),
// helper/configutil/merge.go (files append their seals), command/server/config.go CheckConfig (only exactly two
// seals are judged: both disabled or both enabled fail) and command/server.go setSeal (with three seals the last
// enabled one seals and the last disabled one is the old seal: the others are silently unused).
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, locationOf, type SealConfig } from "../../src/config/seal-config.js";
import { sealDescriptor } from "../../src/seals/index.js";

/** A seal type this version has live checks for. */
const checked = (s: SealConfig) => (sealDescriptor(s.type)?.checks.length ?? 0) > 0;

const NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;

const where = (s: SealConfig) => formatProvenance(s.from);

export default defineCheck({
  id: "config.seal-layout",
  title: "Seal layout",
  scope: "config",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "fleet": "Fleet of {count} targets from {file}: each is checked as the only seal of its own Vault.",
    "no-seal": "No seal block found: Vault will use Shamir unseal keys, so there is nothing to auto-unseal.",
    "no-auto-unseal": "No enabled auto-unseal seal ({why}): Vault will start sealed and wait for Shamir unseal keys, so the gate has nothing to wait for. Pass --allow-shamir if that is intended.",
    "single-seal": "One enabled {type} seal ({where}).",
    "migration": "Seal migration layout: {old} (disabled, {oldWhere}) -> {new} ({newWhere}). The old seal must still decrypt until the migration is done.",
    "migration-to-shamir": "Only a disabled {type} seal ({where}): Vault will migrate from {type} back to Shamir unseal keys.",
    "too-many-seals": "{count} seal blocks: Vault CE fails with \"seals: at most 2 seals can be provided: received {count}\".",
    "too-many-seals-ent": "{count} seal blocks: Vault accepts at most 3.",
    "all-disabled": "All {count} seals are disabled: Vault fails with \"seals: seals provided but all are disabled\".",
    "several-enabled": "{count} enabled seals ({names}): Vault CE fails with \"seals: only one seal can be enabled\". Seal HA needs Vault Enterprise.",
    "seal-ha": "{count} enabled seals ({names}): seal high availability (Vault Enterprise).",
    "duplicate-name": "Seal name \"{name}\" is used by {count} seals ({places}); names must be unique.",
    "invalid-name": "Seal name \"{name}\" ({where}) is invalid: names may contain only letters, digits, '-' and '_'.",
    "invalid-priority": "Seal {name} has priority \"{value}\" ({where}); priority must be an integer >= 1.",
    "type-override": "{variable}={value} changes enabled seal {name} from \"{declared}\" ({where}) to \"{value}\".",
    "openbao-both-enabled": "{count} enabled seals ({names}): OpenBao fails with \"seals: two seals provided but neither is disabled\". OpenBao has no seal HA: one enabled seal, and a second, disabled one only while migrating.",
    "openbao-both-disabled": "Both seals are disabled ({names}): OpenBao fails with \"seals: two seals provided but both are disabled\".",
    "openbao-too-many-in-file": "{count} seal blocks in {file}: OpenBao fails with \"error parsing 'seal': only two or less \"seal\" blocks are permitted\".",
    "openbao-unused-seals": "{count} seal blocks: OpenBao starts, but seals with the last enabled one ({used}){old} and silently ignores {unused}. Keep one enabled seal (and one disabled seal while migrating).",
    "openbao-no-seal-ha": "{key} = \"{value}\" ({where}): OpenBao has no seal HA, so no seal names or priorities; it hands {key} to the {type} wrapper, which ignores it. Remove it.",
    "unchecked-type": "Seal type \"{type}\" ({where}) is not checked by this version of vault-kms-doctor: whether it unseals is not verified.",
  },
  async run(ctx) {
    const seals = ctx.config.seals;
    const findings: Finding[] = [];
    const enabled = seals.filter((s) => !s.disabled);
    const disabled = seals.filter((s) => s.disabled);
    const enterprise = ctx.options.enterprise && ctx.options.target?.server !== "openbao";

    if (ctx.config.origin === "fleet") {
      const unchecked = seals.filter((s) => !checked(s)).map((s) => ctx.report("error", "unchecked-type", { type: s.type, where: where(s) }));
      return { findings: [ctx.report("pass", "fleet", { count: seals.length, file: ctx.config.files[0] }), ...unchecked] };
    }
    // The gate opens only for a Vault that will unseal itself; a check run just says what Vault will do.
    if (enabled.length === 0 && ctx.options.requireAutoUnseal) {
      const why = seals.length === 0 ? `no seal block in ${ctx.config.files.join(", ") || "the configuration"}` : `every seal is disabled: ${disabled.map(where).join(", ")}`;
      findings.push(ctx.report("fail", "no-auto-unseal", { why }, { fix: { summary: "Add the seal stanza Vault should unseal with, or run the gate with --allow-shamir.", commands: [], docs: "https://developer.hashicorp.com/vault/docs/configuration/seal" } }));
      if (seals.length === 0) return { findings };
    }
    if (seals.length === 0) {
      findings.push(ctx.report("warn", "no-seal"));
      return { findings };
    }
    if (ctx.options.target?.server === "openbao") {
      findings.push(...openbaoLayout(ctx, seals));
    } else {
      if (!enterprise && seals.length > 2) findings.push(ctx.report("fail", "too-many-seals", { count: seals.length }));
      if (enterprise && seals.length > 3) findings.push(ctx.report("fail", "too-many-seals-ent", { count: seals.length }));
      if (seals.length > 1 && enabled.length === 0) findings.push(ctx.report("fail", "all-disabled", { count: seals.length }));
      if (enabled.length > 1) {
        const names = enabled.map((s) => `${s.name} at ${where(s)}`).join(", ");
        findings.push(enterprise ? ctx.report("pass", "seal-ha", { count: enabled.length, names }) : ctx.report("fail", "several-enabled", { count: enabled.length, names }));
      }
      const byName = new Map<string, SealConfig[]>();
      for (const s of seals) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
      for (const [name, list] of byName) {
        if (list.length > 1) findings.push(ctx.report("fail", "duplicate-name", { name, count: list.length, places: list.map(where).join(", ") }));
        if (!NAME_PATTERN.test(name)) findings.push(ctx.report("fail", "invalid-name", { name, where: formatProvenance(list[0]!.nameFrom) }));
      }
      for (const s of seals) {
        const p = s.values.priority;
        if (p && !(Number.isInteger(Number(p.value)) && Number(p.value) >= 1)) {
          findings.push(ctx.report("fail", "invalid-priority", { name: s.name, value: p.value, where: formatProvenance(p.from) }));
        }
      }
    }
    for (const s of seals) {
      if (s.typeOverriddenBy) {
        findings.push(ctx.report("warn", "type-override", { variable: s.typeOverriddenBy, value: s.type, name: s.name, declared: s.declaredType, where: where(s) }));
      }
      if (!checked(s)) findings.push(ctx.report("error", "unchecked-type", { type: s.type, where: where(s) }));
    }
    const layoutBroken = findings.some((f) => f.status === "fail" || f.code === "openbao-unused-seals");
    if (!layoutBroken) {
      if (enabled.length === 1 && disabled.length === 1) {
        findings.unshift(ctx.report("pass", "migration", {
          old: disabled[0]!.name, oldWhere: where(disabled[0]!), new: enabled[0]!.name, newWhere: where(enabled[0]!),
        }, { details: { from: disabled[0]!.type, to: enabled[0]!.type } }));
      } else if (enabled.length === 0 && disabled.length === 1) {
        findings.unshift(ctx.report("pass", "migration-to-shamir", { type: disabled[0]!.type, where: where(disabled[0]!) }));
      } else if (enabled.length === 1) {
        findings.unshift(ctx.report("pass", "single-seal", { type: enabled[0]!.type, where: where(enabled[0]!) }));
      }
    }
    return { findings, facts: { enabled: enabled.map((s) => s.name), disabled: disabled.map((s) => s.name) } };
  },
});

type LayoutContext = Parameters<Parameters<typeof defineCheck>[0]["run"]>[0];

/** OpenBao's rules (see the head of this file). */
function openbaoLayout(ctx: LayoutContext, seals: SealConfig[]): Finding[] {
  const findings: Finding[] = [];
  const perFile = new Map<string, number>();
  for (const s of seals) if (s.from.kind === "file") perFile.set(s.from.file, (perFile.get(s.from.file) ?? 0) + 1);
  for (const [file, count] of perFile) if (count > 3) findings.push(ctx.report("fail", "openbao-too-many-in-file", { count, file }));
  const enabled = seals.filter((s) => !s.disabled);
  const disabled = seals.filter((s) => s.disabled);
  const list = (l: SealConfig[]) => l.map((s) => `${s.type} at ${where(s)}`).join(", ");
  if (seals.length === 2 && enabled.length === 2) findings.push(ctx.report("fail", "openbao-both-enabled", { count: 2, names: list(enabled) }));
  if (seals.length === 2 && disabled.length === 2) findings.push(ctx.report("fail", "openbao-both-disabled", { names: list(disabled) }));
  if (seals.length > 2 && findings.length === 0) {
    const used = enabled.at(-1);
    const old = disabled.at(-1);
    const unused = seals.filter((s) => s !== used && s !== old);
    findings.push(ctx.report("warn", "openbao-unused-seals", {
      count: seals.length, used: used ? list([used]) : "none: Shamir", old: old ? ` and migrates from the last disabled one (${list([old])})` : "", unused: list(unused),
    }, { details: { used: used ? where(used) : null, old: old ? where(old) : null, unused: unused.map(where) } }));
  }
  for (const s of seals) {
    for (const key of ["name", "priority"]) {
      const v = s.values[key];
      if (v && v.from.kind === "file") findings.push(ctx.report("warn", "openbao-no-seal-ha", { key, value: v.value, where: formatProvenance(v.from), type: s.type }, { location: locationOf(v.from) }));
    }
  }
  return findings;
}
