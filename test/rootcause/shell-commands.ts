import { execFile, execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// Takes emitted fix commands apart the way bash would: heredoc files, comment lines, and every `aws …` simple
// command (also inside `$(…)`, after `do`, `&&`, `;`), with a quote-aware scan so a JMESPath query's `)` or `|`
// inside quotes does not end the command.

export interface Heredoc { file: string; body: string }

/** `cat > FILE <<'EOF' … EOF`: the file and its body (quoted marker only: nothing inside is expanded). */
export function heredocOf(command: string): Heredoc | undefined {
  const m = /^cat > (\S+) <<'([A-Z_]+)'\n([\s\S]*)\n\2$/.exec(command);
  return m ? { file: m[1]!.replace(/^'|'$/g, ""), body: m[3]! } : undefined;
}

/** The end of a simple command starting at `from`: the first unquoted ; | & ) > < newline or ` #`. */
function simpleCommandEnd(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === "'" || c === '"') { quote = c; continue; }
    if (c === "\\") { i++; continue; }
    if (";|&)><\n".includes(c)) return i;
    if (c === "#" && /\s/.test(text[i - 1] ?? "")) return i;
  }
  return text.length;
}

/** Every `aws …` invocation in one command string (heredoc bodies and comment lines excluded). */
export function awsInvocations(command: string): string[] {
  if (heredocOf(command)) return [];
  const out: string[] = [];
  for (const line of command.split("\n")) {
    if (line.trimStart().startsWith("#")) continue;
    const re = /(^|\$\(|;\s*|&&\s*|\|\|\s*|\bdo\s+|\bthen\s+|=\$\()\s*aws\s/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const start = line.indexOf("aws", m.index + m[1]!.length);
      const end = simpleCommandEnd(line, start);
      // `2>/dev/null`: the descriptor number belongs to the redirection, not to the command.
      const text = line.slice(start, end).trim();
      out.push(line[end] === ">" || line[end] === "<" ? text.replace(/\s\d$/, "") : text);
    }
  }
  return out;
}

/** Every `gcloud …` invocation, the same way. */
export function gcloudInvocations(command: string): string[] {
  if (heredocOf(command)) return [];
  const out: string[] = [];
  for (const line of command.split("\n")) {
    if (line.trimStart().startsWith("#")) continue;
    const re = /(^|\$\(|;\s*|&&\s*|\|\|\s*|\bdo\s+)\s*gcloud\s/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const start = line.indexOf("gcloud", m.index + m[1]!.length);
      out.push(line.slice(start, simpleCommandEnd(line, start)).trim());
    }
  }
  return out;
}

/** Shell words of a simple command (quotes removed; `$VAR` kept as text). Enough for flag checks. */
export function words(command: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let has = false;
  for (const c of command) {
    if (quote) { if (c === quote) quote = undefined; else cur += c; continue; }
    if (c === "'" || c === '"') { quote = c; has = true; continue; }
    if (/\s/.test(c)) { if (has || cur) out.push(cur); cur = ""; has = false; continue; }
    cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** The project's pinned peer (.peers/bin, npm run peers) first, then the aws CLI on PATH. */
const PEERS_BIN = join(fileURLToPath(new URL("../../", import.meta.url)), ".peers", "bin");
const AWS_PATH = `${existsSync(join(PEERS_BIN, "aws")) ? `${PEERS_BIN}:` : ""}${process.env.PATH ?? ""}`;

export const awsInstalled = (() => { try { execFileSync("aws", ["--version"], { stdio: "pipe", env: { ...process.env, PATH: AWS_PATH } }); return true; } catch { return false; } })();
/** In CI a missing aws CLI is a failure, not a silent skip: the commands would go unverified. */
export const awsRequired = Boolean(process.env.CI) && !awsInstalled;

/**
 * Runs one `aws …` command through bash and the real aws CLI, in `cwd`, against a closed loopback endpoint:
 * the CLI parses and validates every argument, then fails to connect. Named shell variables get a stand-in value.
 */
export function runAws(segment: string, cwd: string): Promise<{ code: number; stderr: string }> {
  const vars: Record<string, string> = {};
  for (const m of segment.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) vars[m[1]!] = /REGION|^r$/i.test(m[1]!) ? "us-east-1" : m[1] === "AWS_ACCESS_KEY_ID" ? "AKIAIOSFODNN7EXAMPLE" : "x";
  for (const f of segment.matchAll(/file:\/\/([^\s'"]+)/g)) {
    const path = join(cwd, f[1]!);
    if (!existsSync(path)) writeFileSync(path, JSON.stringify({ Version: "2012-10-17", Statement: [] }));
  }
  const env: NodeJS.ProcessEnv = {
    PATH: AWS_PATH, HOME: cwd, LANG: "C.UTF-8",
    ...vars,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(cwd, "aws-config"), AWS_SHARED_CREDENTIALS_FILE: join(cwd, "aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true", AWS_MAX_ATTEMPTS: "1", AWS_RETRY_MODE: "standard",
    // Nothing may leave the machine: every endpoint, also of an `aws` inside $(…), is a closed loopback port.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "",
  };
  const script = `${segment} --endpoint-url http://127.0.0.1:9 --cli-connect-timeout 1 --cli-read-timeout 1`;
  return new Promise((resolve) => {
    execFile("bash", ["-c", script], { cwd, env, timeout: 30_000 }, (err, _stdout, stderr) => resolve({ code: err ? ((err as any).code ?? 1) : 0, stderr: String(stderr) }));
  });
}

