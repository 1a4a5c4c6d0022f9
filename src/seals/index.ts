// The seal types the engine knows, by type. Everything that differs per seal type reads it from here.
import awskms from "./awskms.js";
import gcpckms from "./gcpckms.js";
import azurekeyvault from "./azurekeyvault.js";
import transit from "./transit.js";
import pkcs11 from "./pkcs11.js";
import type { SealDescriptor, SealFlag, SealSetting } from "./types.js";

export type { SealDescriptor, SealFlag, SealSetting } from "./types.js";

// A Map, not an object: a seal type named `constructor` or `__proto__` must find nothing.
const SEALS = new Map<string, SealDescriptor>([awskms, gcpckms, azurekeyvault, transit, pkcs11].map((d) => [d.type, d]));

/** The descriptor of a seal type, or undefined for a type this version does not know. */
export function sealDescriptor(type: string): SealDescriptor | undefined {
  return SEALS.get(type);
}

export function sealDescriptors(): SealDescriptor[] {
  return [...SEALS.values()];
}

/** For tests (and future plugins): one more seal type, known everywhere the engine asks. Returns its removal. */
export function registerSealDescriptor(d: SealDescriptor): () => void {
  if (SEALS.has(d.type)) throw new Error(`seal type ${d.type} is already registered`);
  SEALS.set(d.type, d);
  return () => SEALS.delete(d.type);
}

/** Settings every seal block may carry, read by Vault itself rather than the wrapper. */
export const COMMON_SETTINGS = ["disabled", "priority", "name"];

export function settingOf(type: string, name: string): SealSetting | undefined {
  return sealDescriptor(type)?.settings.find((s) => s.name === name);
}

export function isSecretSetting(type: string | undefined, name: string): boolean {
  if (type !== undefined) return settingOf(type, name)?.secret === true;
  return sealDescriptors().some((d) => d.settings.some((s) => s.name === name && s.secret));
}

export function secretEnvVars(): string[] {
  return [...new Set(sealDescriptors().flatMap((d) => d.secretEnvVars))];
}

/** Every seal flag once; a flag shared by several seal types (`--region`) lists each one's meaning. */
export function sealFlags(): { flag: string; describe: string }[] {
  const byFlag = new Map<string, string[]>();
  for (const d of sealDescriptors()) for (const f of d.flags) byFlag.set(f.flag, [...(byFlag.get(f.flag) ?? []), f.describe]);
  return [...byFlag].map(([flag, d]) => ({ flag, describe: d.join("; ") }));
}

/** The setting a flag fills for a seal type (the type's own flag first, else any type's, so a stray flag is still linted). */
export function flagSetting(type: string, flag: string): string | undefined {
  const own = sealDescriptor(type)?.flags.find((f) => f.flag === flag);
  if (own) return own.setting;
  for (const d of sealDescriptors()) for (const f of d.flags) if (f.flag === flag) return f.setting;
  return undefined;
}

/** The flag that fills a setting of a seal type, for provenance ("from --key-id"). */
export function settingFlag(type: string, setting: string): string | undefined {
  for (const d of [sealDescriptor(type), ...sealDescriptors()]) {
    const f = d?.flags.find((x) => x.setting === setting);
    if (f) return f.flag;
  }
  return undefined;
}
