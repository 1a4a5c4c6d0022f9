// POSIX shell quoting for fix commands: a value stays one word whatever it holds; a <PLACEHOLDER> stays as is.
export function sh(value: string): string {
  if (/^<[A-Z0-9_]{1,40}>$/.test(value)) return value;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
