// Issue 16, items 4-12: hostile, empty and endless input never hangs the run, leaks a secret, reaches the
// terminal raw or ends in a stack trace. Each case is a reproduction from the issue, run through the built CLI.
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { baseEnv, CLI, ROOT, runCli } from "../support/cli.js";
import { redactText, registerSecret } from "../../src/redact.js";
import { explainStream } from "../../src/troubleshoot/index.js";
import { escapeControls, escapeForText, neutraliseWorkflowCommands } from "../../src/report/terminal-text.js";
import { findJsonProblem } from "../../src/config/json-text.js";
import { compactHcl, parseHcl } from "../../src/config/hcl.js";
import { readBounded, FileRefusedError } from "../../src/fs/read-bounded.js";

const dir = mkdtempSync(join(tmpdir(), "vkd-failclosed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync("mkfifo", [p]);
  return p;
}

const SEAL = 'seal "awskms" {\n  kms_key_id = "alias/vault-unseal"\n  region = "us-east-1"\n}\n';
const NO_TRACE = /\n\s+at |Node\.js v\d/;

function oneLine(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(NO_TRACE);
}

describe("4. only regular files, each under its cap", () => {
  const fifoPath = fifo("pipe.hcl");
  const linkDir = join(dir, "conf.d");
  mkdirSync(linkDir);
  writeFileSync(join(linkDir, "a.hcl"), SEAL);
  symlinkSync("/dev/zero", join(linkDir, "b.hcl"));
  const linkFifoDir = join(dir, "conf-fifo.d");
  mkdirSync(linkFifoDir);
  symlinkSync(fifoPath, join(linkFifoDir, "a.hcl"));
  const zeroValue = file("zero-value.hcl", 'seal "awskms" {\n  kms_key_id = "alias/k"\n  region = "us-east-1"\n  secret_key = "file:///dev/zero"\n}\n');
  const config = file("ok.hcl", SEAL);

  it.each([
    ["-c /dev/zero", ["check", "-c", "/dev/zero"], {}, /\/dev\/zero: refusing to read this config file: it is a character device/],
    ["-c FIFO", ["check", "-c", fifoPath], {}, /pipe\.hcl: refusing to read this config file: it is a FIFO/],
    ["/dev/zero behind a symlink in a config dir", ["gate", "-c", linkDir], {}, /b\.hcl: refusing to read this config file: it is a character device/],
    ["a FIFO behind a symlink in a config dir", ["check", "-c", linkFifoDir], {}, /a\.hcl: refusing to read this config file: it is a FIFO/],
    ["secret_key = file:///dev/zero", ["check", "-c", zeroValue], {}, /\/dev\/zero: refusing to read this credentials file/],
    ["AWS_CONFIG_FILE=/dev/zero", ["check", "-c", config], { AWS_CONFIG_FILE: "/dev/zero" }, /AWS shared config\/credentials file/],
    ["AWS_SHARED_CREDENTIALS_FILE=FIFO", ["gate", "-c", config], { AWS_SHARED_CREDENTIALS_FILE: fifoPath }, /AWS shared config\/credentials file: it is a FIFO/],
    ["web identity token file /dev/zero", ["check", "-c", config], { AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/v", AWS_WEB_IDENTITY_TOKEN_FILE: "/dev/zero" }, /web identity token file/],
    ["--ca-cert FIFO", ["check", "-c", config, "--vault-addr", "http://127.0.0.1:9", "--ca-cert", fifoPath], {}, /CA certificate file: it is a FIFO/],
    ["--fleet /dev/zero", ["check", "--fleet", "/dev/zero"], {}, /fleet file: it is a character device/],
    ["policy -i /dev/zero", ["policy", "-i", "/dev/zero", "--role-arn", "arn:aws:iam::111122223333:role/v", "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"], {}, /policy file: it is a character device/],
    ["explain --file /dev/zero", ["explain", "--file", "/dev/zero"], {}, /refusing to read a device/],
  ])("%s: exit 2 naming the file, at once", async (_name, args, env, message) => {
    const started = Date.now();
    const r = await runCli(args as string[], { env: baseEnv(env as Record<string, string>), timeoutMs: 20_000 });
    oneLine(r, message as RegExp);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a config over the cap is refused before it is read", () => {
    const big = join(dir, "big.hcl");
    writeFileSync(big, "");
    execFileSync("truncate", ["-s", String(16 * 1024 * 1024 + 1), big]);
    expect(() => readBounded(big, "config")).toThrow(FileRefusedError);
    expect(() => readBounded(big, "config")).toThrow(/over the 16 MiB limit/);
  });

  it("explain still streams from a FIFO (process substitution, named pipes)", async () => {
    const p = fifo("log.pipe");
    const writer = spawn("sh", ["-c", `printf 'AccessDeniedException: User: arn:aws:iam::111122223333:user/v is not authorized to perform: kms:Decrypt\\n' > '${p}'`]);
    const r = await runCli(["explain", "--file", p, "--format", "json"], { timeoutMs: 20_000 });
    writer.kill();
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).matches[0].cause).toBe("permission_denied");
  });
});

describe("5. a 15 MB config and a 600k-line file:// value stay linear", () => {
  it("15 MB HCL: under the budget and bounded memory", async () => {
    const padding = "# padding line for a large generated config\n".repeat(Math.ceil((15 * 1024 * 1024) / 44));
    const big = file("15mb.hcl", `${padding}${SEAL}`);
    const started = Date.now();
    const r = await runCli(["check", "-c", big, "--only", "config", "--format", "json", "--timeout", "5s"], { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect([0, 1, 2]).toContain(r.code);
    // The issue measured 17 s; the target is 2 s on a quiet machine (bench: test/bench). Shared CI cores get slack.
    expect(elapsed).toBeLessThan(6_000);
    expect(r.code).toBe(0);
  });

  it("dense settings over the cap are refused at once, naming the file", async () => {
    const dense = file("dense.hcl", Array.from({ length: 30_000 }, (_, i) => `k${i} = "v${i}"`).join("\n") + "\n" + SEAL);
    oneLine(await runCli(["check", "-c", dense]), /dense\.hcl: the file holds \d+ characters of settings/);
  });

  it("property: dropping comments and blank lines changes nothing the parser returns", () => {
    const piece = fc.constantFrom("# c\n", "// c \" # \n", "/* a\n# b */", "\n\n", 'k = "v # not a comment"\n', "k = <<EOF\n# kept\n\nEOF\n",
      SEAL, 'seal "gcpckms" { /* x */ project = "p" }\n', "x = [1, 2]\n", 'bad = "\n', "}\n");
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const text = parts.join("");
      const run = (t: string) => { try { return { ok: parseHcl(t, "f") }; } catch (err) { return { line: (err as { line?: number }).line }; } };
      const direct = run(text);
      const c = compactHcl(text);
      const viaCompact = run(c.text);
      if ("ok" in direct) expect(viaCompact).toEqual(direct);
      else expect("ok" in viaCompact).toBe(false);
    }), { numRuns: 400, seed: 5 });
  });

  it("redaction cost does not grow with secrets x strings", () => {
    const lines = Array.from({ length: 600_000 }, (_, i) => `line-${i}-abcdefghijklmnop`);
    registerSecret(lines.join("\n"));
    for (let i = 0; i < 2000; i++) registerSecret(`distinct-secret-value-${i}-abcdefgh`);
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) redactText(`a report string ${i} that holds no secret at all, repeated`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(redactText("x distinct-secret-value-1999-abcdefgh y")).toBe("x <redacted> y");
  });
});

describe("6. URL credentials in the Vault address", () => {
  it("are never printed, never sent as Basic auth, and a finding says they are ignored", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader("content-type", "application/json");
      res.end(req.url?.startsWith("/v1/sys/seal-status")
        ? JSON.stringify({ type: "awskms", initialized: true, sealed: false, t: 1, n: 1, progress: 0, version: "2.6.0", storage_type: "raft", recovery_seal: true })
        : JSON.stringify({ initialized: true, sealed: false, standby: false }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const config = file("vault-addr.hcl", SEAL);
    try {
      for (const [args, env] of [
        [["check", "-c", config, "--vault-addr", `http://admin:pAsSw0rdCanary@127.0.0.1:${port}`], {}],
        [["check", "-c", config, "--format", "json"], { VAULT_ADDR: `http://admin:pAsSw0rdCanary@127.0.0.1:${port}` }],
        [["migrate", "-c", config, "--from", "shamir"], { VAULT_ADDR: `http://admin:pAsSw0rdCanary@127.0.0.1:${port}` }],
        [["check", "-c", config, "--vault-addr", "http://admin:pAsSw0rdCanary@[::1"], {}],
      ] as const) {
        const r = await runCli([...args], { env: baseEnv(env as Record<string, string>), timeoutMs: 30_000 });
        expect(r.stdout + r.stderr).not.toContain("pAsSw0rdCanary");
        expect(r.stderr).not.toMatch(NO_TRACE);
        if ((args as readonly string[]).includes("json")) {
          const status = JSON.parse(r.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "vault.status");
          expect(status.findings.map((f: any) => f.code)).toContain("address-credentials");
        }
      }
      expect(seen.length).toBeGreaterThan(0);
      for (const h of seen) expect(h.authorization).toBeUndefined();
    } finally {
      server.close();
    }
  });
});

describe("7. explain redacts what the environment and pasted logs hold", () => {
  const env = { AWS_SECRET_ACCESS_KEY: "eNvCaNaRySeCrEtAcCeSsKeY0000000000000001", AZURE_CLIENT_SECRET: "eNvCaNaRyAzUrE~sEcReT000000002", VAULT_TOKEN: "eNvCaNaRyVaUlTtOkEn0000000003", BAO_TOKEN: "eNvCaNaRyBaOtOkEn000000000004" };
  const hostileLines = [
    `2024-01-01T00:00:00Z [ERROR] seal: error: AccessDeniedException: quoted ${env.AWS_SECRET_ACCESS_KEY} ${env.AZURE_CLIENT_SECRET} ${env.VAULT_TOKEN} ${env.BAO_TOKEN}`,
    '{"@level":"error","@message":"error: {\\"secret_key\\":\\"jSoNeScApEdCaNaRy000000000005\\",\\"x\\":1} AccessDeniedException"}',
    "error: unauthorized: Authorization: Basic QmFzaWNDYW5hcnk6MDAwMDAwNg== AccessDeniedException",
    "error: unauthorized: Authorization: Bearer BeArErCaNaRy000000007 AccessDeniedException",
    "error: token refresh failed: access_token=AcCeSsCaNaRy0008&refresh_token=ReFrEsHcAnArY0009 invalid_grant",
    "error: permission denied: X-Vault-Token: XvAuLtCaNaRy00010 code 403",
    "error: dial https://vault.example:8200/v1/transit/encrypt/k?token=QuErYcAnArY00011: connection refused",
    "error: Post \"https://admin:UrLpAsSwOrDcAnArY12@vault.example:8200/v1/transit/encrypt/k\": dial tcp: connection refused",
    "error: SignatureDoesNotMatch Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=5e1a0000000000000000000000000000000000000000000000000000000c0013",
  ];
  const canaries = ["eNvCaNaRy", "jSoNeScApEdCaNaRy", "QmFzaWNDYW5hcnk6", "BeArErCaNaRy", "AcCeSsCaNaRy", "ReFrEsHcAnArY", "XvAuLtCaNaRy", "QuErYcAnArY", "UrLpAsSwOrDcAnArY", "5e1a0000000000"];

  it.each(["text", "json"])("in %s output", async (format) => {
    const r = await runCli(["explain", "--format", format], { env: baseEnv(env), input: hostileLines.join("\n") + "\n" });
    expect(r.code).not.toBe(2);
    for (const c of canaries) expect(r.stdout, c).not.toContain(c);
  });

  it("a private key without END hides only its body", async () => {
    const begin = ["-----BEGIN", "RSA PRIVATE KEY-----"].join(" ");
    const log = [begin, "MIIEowIBAAKCAQEAcAnArYbOdY0000000000000000000000000000000000000000", "AAAAAAAA", "2024-01-01T00:00:00Z [ERROR] core: AccessDeniedException: User: arn:aws:iam::111122223333:user/vault is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"].join("\n");
    const report = await explainStream(Readable.from([log]));
    expect(report.matches.map((m) => m.cause)).toContain("permission_denied");
    expect(JSON.stringify(report)).not.toContain("cAnArYbOdY");
    // Same for the one-string path.
    expect(redactText(`${begin} MIIEowIBAAKCAQEAcAnArYbOdY00 then the rest: kms:Decrypt denied`)).toMatch(/<redacted private key>.*kms:Decrypt denied/);
  });

  it("property: a labelled secret in any quoting survives no redaction", () => {
    const label = fc.constantFrom("secret_key", "aws_secret_access_key", "client_secret", "x-vault-token", "access_token", "refresh_token", "password");
    const quote = fc.constantFrom("", '"', "'", '\\"');
    const sep = fc.constantFrom("=", ": ", ":", " = ");
    const secret = fc.stringMatching(/^[A-Za-z0-9]{16,40}$/).map((s) => `Zq${s}`);
    fc.assert(fc.property(label, quote, sep, secret, (l, q, s, v) => {
      const out = redactText(`error: ${q}${l}${q}${s}${q}${v}${q} failed`);
      expect(out).not.toContain(v);
    }), { numRuns: 300, seed: 16 });
  });
});

describe("8. syntax errors do not echo a secret", () => {
  it.each([
    ["bare value", 'seal "awskms" {\n  secret_key = BaReSeCrEtCaNaRy0001\n}\n', "hcl"],
    ["key without =", 'seal "awskms" {\n  secret_key "QuOtEdSeCrEtCaNaRy02"\n}\n', "hcl"],
    ["bare value in a list", 'seal "awskms" {\n  x = [LiStSeCrEtCaNaRy03\n}\n', "hcl"],
  ])("HCL: %s", async (_n, content, ext) => {
    const r = await runCli(["check", "-c", file(`syntax-${_n.replace(/\W/g, "")}.${ext}`, content)]);
    oneLine(r, /:\d+:\d+: /);
    expect(r.stderr).not.toMatch(/CaNaRy/);
  });

  it("fleet JSON: line and column, no snippet", async () => {
    const r = await runCli(["check", "--fleet", file("fleet-bad.json", '{"targets": [\n  {"type": "awskms", "settings": {"secret_key": FlEeTsEcReTcAnArY}}\n]}\n')]);
    oneLine(r, /fleet-bad\.json:2:49: not valid JSON: expected a value/);
    expect(r.stderr).not.toContain("FlEeTsEcReTcAnArY");
  });
});

describe("9. text output never drives the terminal or a CI runner", () => {
  const hostile = "evil\u001b]0;pwn\u0007\n  [✓] forged\r\u009b31m\u009d0;x\u0000";

  it("check: a seal name with controls and a forged line", async () => {
    const config = file("controls.hcl", `seal "awskms" {\n  name = ${JSON.stringify(hostile)}\n  kms_key_id = "alias/k"\n  region = "us-east-1"\n}\n`);
    for (const format of ["text", "json", "junit"]) {
      const r = await runCli(["check", "-c", config, "--only", "config", "--format", format, "--color"]);
      const out = r.stdout.replace(/\u001b\[[0-9;]*m/g, "");
      // JUnit is XML for CI viewers, not a terminal: it must only stay well-formed (no C0 but tab, LF, CR).
      expect(out).not.toMatch(format === "junit" ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/ : /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(out).not.toMatch(/^\s*\[✓\] forged/m);
      if (format === "json") expect(JSON.parse(r.stdout).targets.some((t: any) => t.id.includes("forged"))).toBe(true);
    }
    const gate = await runCli(["gate", "-c", config, "--timeout", "5s"], { timeoutMs: 30_000 });
    expect(gate.code).not.toBe(0);
    expect(gate.stdout + gate.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(gate.stdout + gate.stderr).not.toMatch(/^\s*\[✓\] forged/m);
  });

  it("explain and policy: log lines and statement Sids", async () => {
    const r = await runCli(["explain"], { input: `::set-output name=x::AccessDeniedException: kms:Decrypt ${hostile}\n` });
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).not.toMatch(/^\s*::/m);
    const policy = file("sid.json", JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: `x${hostile}`, Effect: "Allow", Action: "kms:Encrypt", Resource: "*" }] }));
    const p = await runCli(["policy", "-i", policy, "--role-arn", "arn:aws:iam::111122223333:role/v", "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]);
    expect(p.stderr).not.toMatch(NO_TRACE);
    expect(p.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("property: one value renders on one line with no control character", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
      const out = escapeControls(s);
      expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      const fix = escapeForText({ fix: { commands: [s] } }).fix.commands[0]!;
      expect(fix).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }), { numRuns: 500, seed: 9 });
    expect(neutraliseWorkflowCommands("ok\n  ::add-mask::x\n::error::y\n")).not.toMatch(/^\s*::/m);
  });
});

describe("10. no stack trace", () => {
  it.each([
    [["check", "--seal", "constructor"], {}],
    [["check", "--seal", "__proto__"], {}],
    [["check", "-c", "CONFIG"], { VAULT_SEAL_TYPE: "constructor" }],
  ])("%j -> one line, exit 2", async (args, env) => {
    const config = file("proto.hcl", SEAL);
    const r = await runCli((args as string[]).map((a) => (a === "CONFIG" ? config : a)), { env: baseEnv(env as Record<string, string>) });
    oneLine(r, /is not a seal type/);
  });

  it("seal \"constructor\" in a config and in a fleet", async () => {
    oneLine(await runCli(["check", "-c", file("ctor.hcl", 'seal "constructor" {\n}\n')]), /"constructor" is not a seal type/);
    oneLine(await runCli(["check", "--fleet", file("ctor.json", '{"targets":[{"type":"__proto__"}]}')]), /"__proto__" is not a seal type/);
  });

  it("fleet settings nested 100k deep", async () => {
    const deep = `{"targets":[{"type":"awskms","settings":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}]}`;
    oneLine(await runCli(["check", "--fleet", file("deep.json", deep)]), /deep\.json:1:\d+: not valid JSON: nested deeper than 64 levels/);
  });

  it("a config directory the user may not list (EACCES)", async () => {
    const locked = join(dir, "vault.d");
    mkdirSync(locked, { mode: 0o750 });
    writeFileSync(join(locked, "vault.hcl"), SEAL);
    chmodSync(locked, 0o700);
    chmodSync(dir, 0o755);
    let setpriv = "";
    try {
      setpriv = execFileSync("sh", ["-c", "command -v setpriv"]).toString().trim();
    } catch { /* not installed */ }
    const isRoot = process.getuid?.() === 0;
    // Root reads any directory: drop to nobody with setpriv when running as root (the CI container).
    if (isRoot && !setpriv) return;
    const argv = isRoot ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI] : [process.execPath, CLI];
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(argv[0]!, [...argv.slice(1), "check", "-c", locked], { cwd: ROOT, env: baseEnv() });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    if (/Permission denied|EACCES/.test(r.stderr) && /cli\.js/.test(r.stderr) && r.code !== 2) return; // nobody cannot read the repo itself
    oneLine(r, /vault\.d: cannot list config directory: permission denied/);
  });

  // `list-checks | head -c 10`: the reader takes 10 bytes and closes the pipe.
  function closeAfter10Bytes(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  it("a closed stdout pipe: quiet, and the command keeps its own exit code", async () => {
    const listed = await closeAfter10Bytes(["list-checks"]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    // A failing check whose reader went away still exits 1: a closed pipe never turns a verdict into 0.
    const failing = await closeAfter10Bytes(["check", "--seal", "awskms", "--key-id", "alias/x$(id)", "--region", "us-east-1", "--only", "awskms.region-key", "--verbose"]);
    expect(failing.stderr).not.toMatch(NO_TRACE);
    expect(failing.code).toBe(1);
  });
});

describe("11. JSON syntax errors give line and column", () => {
  it("policy", async () => {
    const r = await runCli(["policy", "-i", file("bad-policy.json", '{\n  "Version": "2012-10-17",\n  "Statement": [ {"Effect": "Allow",, } ]\n}\n'), "--role-arn", "arn:aws:iam::111122223333:role/v", "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]);
    oneLine(r, /bad-policy\.json: invalid JSON \(line 3, column 37: /);
  });

  it("property: the scanner agrees with JSON.parse", () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 60 }), fc.json().map((j) => j.slice(0, -1))), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(findJsonProblem(text, 10_000) === undefined).toBe(valid);
    }), { numRuns: 1000, seed: 11 });
  });
});

describe("12. awskms.region-key rejects what AWS rejects", () => {
  it.each([
    ["alias/x$(id)", "us-east-1", "invalid-key-id"],
    ["arn:aws:kms:us-east-1:111122223333:alias/a b", "us-east-1", "invalid-key-id"],
    ["arn:aws:kms:us-east-1:111122223333:key/not-a-key", "us-east-1", "invalid-key-id"],
    ["alias/ok", "us-\ufffd\ufffdeast-1", "invalid-region"],
    ["alias/ok", "us-east-1.evil.com", "invalid-region"],
  ])("%s in %s -> %s", async (key, region, code) => {
    const r = await runCli(["check", "--seal", "awskms", "--key-id", key, "--region", region, "--only", "awskms.region-key", "--format", "json"]);
    const check = JSON.parse(r.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "awskms.region-key");
    expect(check.status).toBe("fail");
    expect(check.findings.map((f: any) => f.code)).toContain(code);
  });

  it("invalid UTF-8 in a config region", async () => {
    const config = file("badregion.hcl", Buffer.concat([Buffer.from('seal "awskms" {\n  kms_key_id = "alias/ok"\n  region = "us-'), Buffer.from([0xff, 0xfe]), Buffer.from('east-1"\n}\n')]));
    const r = await runCli(["check", "-c", config, "--only", "awskms.region-key", "--format", "json"]);
    const check = JSON.parse(r.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "awskms.region-key");
    expect(check.findings.map((f: any) => f.code)).toContain("invalid-region");
  });
});
