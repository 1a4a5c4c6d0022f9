// The one troubleshooting table: every rule, grouped by provider in its own file.
import type { TroubleshootRule } from "../rule.js";
import { awsRules } from "./aws.js";
import { azureRules } from "./azure.js";
import { gcpRules } from "./gcp.js";
import { networkRules } from "./network.js";
import { openbaoRules } from "./openbao.js";
import { pkcs11Rules } from "./pkcs11.js";
import { transitRules } from "./transit.js";
import { vaultRules } from "./vault.js";

export const RULES: readonly TroubleshootRule[] = [...awsRules, ...gcpRules, ...azureRules, ...transitRules, ...pkcs11Rules, ...vaultRules, ...openbaoRules, ...networkRules];
