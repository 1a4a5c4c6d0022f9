/**
 * Characters a Helm env list or a copy-paste leaves inside a seal value — surrounding whitespace, quotes, trailing
 * commas or semicolons — which Vault passes on as part of a key id or resource name. Returns the cleaned value, or
 * undefined when there is nothing to clean.
 */
export function strayCharacters(value: string): string | undefined {
  const cleaned = value.trim().replace(/^["'\s]+|["',;\s]+$/g, "").trim();
  return cleaned !== value ? cleaned : undefined;
}
