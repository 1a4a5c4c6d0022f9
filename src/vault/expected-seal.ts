// What seal-status `type` a Vault running this config should report, for the vault.* checks.
import type { VaultConfig } from "../config/seal-config.js";

export interface ExpectedSeal {
  /** "shamir", the enabled seal's type, or "multiseal" for several enabled seals (seal HA). */
  type: string;
  /** Types of disabled (old) seals: a pending migration may still report one of them. */
  oldTypes: string[];
  /** The configured migration source, when the config holds one (a disabled seal). */
  migrationFrom?: string;
}

export function expectedSeal(config: VaultConfig): ExpectedSeal {
  const enabled = config.seals.filter((s) => !s.disabled);
  const disabled = config.seals.filter((s) => s.disabled);
  const type = enabled.length === 0 ? "shamir" : enabled.length === 1 ? enabled[0]!.type : "multiseal";
  return { type, oldTypes: disabled.map((s) => s.type), migrationFrom: disabled[0]?.type };
}
