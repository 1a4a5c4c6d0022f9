// The shape of one troubleshooting rule: detection (error names, gRPC codes, text patterns) apart from
// the words (title, explanation) and the remedy (fix built from the entities found in the text).
import type { Fix } from "../model.js";
import { shq } from "../shell.js";
import type { CauseId } from "./causes.js";

export type Entities = Record<string, string>;

export interface TroubleshootRule {
  /** Unique, stable rule id, e.g. "aws.kms_action_denied". */
  id: string;
  cause: CauseId;
  /** Seal types this rule speaks about: awskms, gcpckms, azurekeyvault, transit, vault (core), or "*". */
  providers: readonly string[];
  title: string;
  explanation: string;
  /** SDK error names / codes (err.name, err.Code, __type, Azure error code) that identify this cause. */
  errorNames?: readonly string[];
  /** Numeric gRPC status codes (google-gax errors carry `code`). */
  grpcCodes?: readonly number[];
  /**
   * Text patterns for pasted errors. Each must run in linear time: literals first, bounded gaps
   * (`[^\n]{0,200}`), no nested or overlapping unbounded quantifiers.
   */
  patterns: readonly RegExp[];
  /** When any of these also matches, the rule does not apply (a more precise rival does). */
  unless?: readonly RegExp[];
  /** Context that makes this reading more likely (e.g. Kubernetes words for IRSA problems). */
  boosts?: readonly { when: RegExp; by: number }[];
  /** Only reported when no other rule matched (generic wrappers such as "Error parsing Seal configuration"). */
  fallbackOnly?: boolean;
  /** Specificity 0..100: how sure a match makes us; ranks rivals. */
  score: number;
  /** Rule-specific entity extraction, merged over the common extraction. */
  entities?: (text: string) => Entities;
  fix: (entities: Entities) => Fix;
  /** What tells this cause apart from the rivals matched by the same message. */
  distinguishing?: string;
  /** Where the message text comes from (docs, source, issue threads). */
  sources: readonly string[];
}

export function defineRules(rules: TroubleshootRule[]): TroubleshootRule[] {
  return rules;
}

/**
 * A value from the entities, shell-quoted (it comes from a log or error text and must not inject shell syntax),
 * or a placeholder the operator must replace (pasteSafe in match.ts turns it into a named shell variable).
 */
export function valueOr(entities: Entities, key: string, placeholder: string): string {
  const v = entities[key];
  return v && v.length > 0 ? shq(v) : placeholder;
}
