// Encryption-context conditions in a policy document: Vault's awskms seal sends no encryption context, so
// any condition on kms:EncryptionContext:* or kms:EncryptionContextKeys on its actions can never be met.
import type { PolicyDocument, PolicyStatement } from "../iam/types.js";

const CONTEXT_KEY = /^kms:encryptioncontext(?::|keys$)/i;

export function isContextConditionKey(key: string): boolean {
  return CONTEXT_KEY.test(key);
}

function statements(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** Statement ids (or indexes) that carry an encryption-context condition. */
export function statementsWithContextConditions(doc: PolicyDocument): string[] {
  return statements(doc)
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => Object.values(s.Condition ?? {}).some((block) => Object.keys(block).some(isContextConditionKey)))
    .map(({ s, i }) => s.Sid ?? `#${i + 1}`);
}

/** The same document with every encryption-context condition removed (empty Condition blocks dropped). */
export function withoutContextConditions(doc: PolicyDocument): PolicyDocument {
  const cleaned = statements(doc).map((s) => {
    if (!s.Condition) return s;
    const condition: NonNullable<PolicyStatement["Condition"]> = {};
    for (const [op, block] of Object.entries(s.Condition)) {
      const kept = Object.fromEntries(Object.entries(block).filter(([k]) => !isContextConditionKey(k)));
      if (Object.keys(kept).length > 0) condition[op] = kept;
    }
    const { Condition: _dropped, ...rest } = s;
    return Object.keys(condition).length > 0 ? { ...rest, Condition: condition } : rest;
  });
  return { ...doc, Statement: cleaned };
}
