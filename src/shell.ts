// The one shell-quoting function of the tool: every value interpolated into a fix command goes through it,
// so no value taken from a config, an ARN, an error text or a log can inject shell syntax when pasted.
// POSIX single quotes: nothing inside is special except the quote itself, closed, escaped and reopened.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A value as one shell word: unchanged when it holds only safe characters, otherwise single-quoted. */
export function shq(value: string | number): string {
  const v = String(value);
  if (v.length > 0 && SAFE.test(v)) return v;
  return `'${v.replace(/'/g, "'\\''")}'`;
}

/** A command template whose every interpolated value is quoted: sh`aws kms enable-key --key-id ${arn}`. */
export function sh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0]!;
  values.forEach((v, i) => { out += shq(v) + strings[i + 1]!; });
  return out;
}

/** A file written by a quoted heredoc (no expansion inside): `cat > name <<'EOF' … EOF`. */
export function heredoc(file: string, body: string): string {
  let marker = "EOF";
  while (body.split("\n").includes(marker)) marker += "_";
  return `cat > ${shq(file)} <<'${marker}'\n${body}\n${marker}`;
}
