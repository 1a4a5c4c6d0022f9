// No input crashes it. Property-based tests (fast-check) feed the config reader and `explain` random and
// adversarial input: every outcome is a result or a ConfigError/ConfigSyntaxError with a message, never an
// uncaught exception, and pathological text finishes (the rule table's patterns are linear-time).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { loadVaultConfig, ConfigError } from "../../src/config/load.js";
import { ConfigSyntaxError } from "../../src/config/hcl.js";
import { explainText, explainStream, renderExplainJson } from "../../src/troubleshoot/index.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vkd-fuzz-"));
let n = 0;

function load(content: string | Buffer, ext = "hcl") {
  const file = join(dir, `c${n++}.${ext}`);
  writeFileSync(file, content);
  try {
    return loadVaultConfig([file], { env: {} });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ConfigSyntaxError) {
      // An exception's text, not a finding: it must name the file.
      expect(err.message).toContain(file);
      return undefined;
    }
    throw err;
  }
}

const key = fc.stringMatching(/^[a-z_]{1,12}$/);
const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean());
const body = fc.dictionary(key, value, { maxKeys: 8 });
const sealType = fc.constantFrom("awskms", "gcpckms", "transit", "azurekeyvault", "pkcs11", "x");

function hcl(blocks: { type: string; body: Record<string, unknown> }[]): string {
  return blocks.map((b) => `seal "${b.type}" {\n${Object.entries(b.body).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`).join("\n")}\n}\n`).join("\n");
}

describe("config reader never crashes", () => {
  it("well-formed random seal blocks, HCL and JSON", () => {
    fc.assert(fc.property(fc.array(fc.record({ type: sealType, body }), { maxLength: 5 }), (blocks) => {
      const fromHcl = load(hcl(blocks));
      expect(fromHcl?.seals.length).toBe(blocks.length);
      const json = JSON.stringify({ seal: Object.fromEntries(blocks.map((b) => [b.type, b.body])) });
      load(json, "json");
    }), { numRuns: 150, seed: 42 });
  });

  it("arbitrary text and bytes", () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a))), (content) => {
      load(content as string | Buffer);
    }), { numRuns: 300, seed: 7 });
  });

  it("mutations of a real config (truncation, inserted braces and quotes)", () => {
    const base = hcl([{ type: "awskms", body: { region: "us-east-1", kms_key_id: "alias/vault-unseal" } }]);
    fc.assert(fc.property(fc.nat(base.length), fc.constantFrom("{", "}", '"', "=", "\n", "#", "<<EOF\n", "/*", ""), (at, insert) => {
      load(base.slice(0, at) + insert + base.slice(at));
    }), { numRuns: 300, seed: 3 });
  });

  it("hostile seal types and values: prototype names, control characters, file:// to devices", () => {
    const hostileType = fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "awskms\u001b[2J", "gcp\u009bckms");
    const hostileValue = fc.constantFrom("file:///dev/zero", "file:///dev/stdin", "env://__proto__", "a\u0000b", "\u001b]0;x\u0007", "line\n[✓] forged", "\u009d8;;x\u009c");
    fc.assert(fc.property(fc.array(fc.record({ type: fc.oneof(sealType, hostileType), body: fc.dictionary(key, fc.oneof(value, hostileValue), { maxKeys: 6 }) }), { maxLength: 4 }), (blocks) => {
      load(hcl(blocks));
      load(JSON.stringify({ seal: blocks.map((b) => ({ [b.type]: b.body })) }), "json");
    }), { numRuns: 150, seed: 16 });
  });

  it("deep nesting", () => {
    load(`seal "awskms" {\n  x = ${"[".repeat(300)}${"]".repeat(300)}\n}\n`);
  });

  it("a 1 MB value", () => {
    load(`seal "awskms" {\n  kms_key_id = "${"a".repeat(1_000_000)}"\n}\n`);
  });

  it("invalid UTF-8", () => {
    const cfg = load(Buffer.concat([Buffer.from('seal "awskms" {\n  region = "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"\n  kms_key_id = "k"\n}\n')]));
    expect(cfg?.seals[0]?.values.kms_key_id?.value).toBe("k");
  });

  it("a 10 MB file", () => {
    const big = `${"# padding line\n".repeat(700_000)}seal "awskms" {\n  kms_key_id = "k"\n}\n`;
    expect(big.length).toBeGreaterThan(10_000_000);
    load(big);
  });
});

describe("explain never crashes and stays linear", () => {
  it("random text gives ranked diagnoses or none, and JSON that parses", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 2000 }), async (text) => {
      const d = explainText(text);
      expect(Array.isArray(d)).toBe(true);
      const report = await explainStream(Readable.from([text]));
      JSON.parse(renderExplainJson(report));
    }), { numRuns: 200, seed: 11 });
  });

  it("fragments of real errors glued together", () => {
    const parts = ["AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/", "is not authorized to perform: kms:", "rpc error: code = PermissionDenied desc = ",
      "Permission 'cloudkms.", "(or it may not exist)", "NotFoundException: Alias arn:aws:kms:", "caused by: ", "\t", "status code: 400", "Error 403: ", '{"__type":"', "<account-id>", "xxxx"];
    fc.assert(fc.property(fc.array(fc.constantFrom(...parts), { maxLength: 30 }), (bits) => {
      for (const d of explainText(bits.join(""))) expect(typeof d.cause).toBe("string");
    }), { numRuns: 300, seed: 5 });
  });

  it("adversarial inputs that break backtracking regexes", () => {
    const hostile = [
      "a".repeat(200_000),
      `${"arn:aws:kms:".repeat(20_000)}`,
      `User: ${"arn:aws:sts::1:assumed-role/".repeat(5_000)} is not authorized`,
      `${" ".repeat(100_000)}x`,
      `${"rpc error: code = ".repeat(10_000)}`,
      `${"(Service: AWSKMS; Status Code: 400; ".repeat(5_000)}`,
      "Permission '" + "cloudkms.".repeat(30_000),
    ];
    for (const text of hostile) expect(Array.isArray(explainText(text))).toBe(true);
  });

  it("a 1 MB single line through the CLI", async () => {
    const line = `${"x".repeat(500_000)} AccessDeniedException: User: arn:aws:iam::111122223333:user/vault is not authorized to perform: kms:Decrypt ${"y".repeat(500_000)}`;
    const r = await runCli(["explain", "--format", "json"], { input: line });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
  });
});

describe("CLI argument abuse", () => {
  it.each([
    [["--config"], /Not enough arguments|nothing to check/],
    [["-c", "fixtures/configs", "--only"], /./],
    [["-c", "checks"], /no \.hcl or \.json config files/],
    [["explain", "--file", "fixtures"], /is a directory/],
    [["explain", "--file", "/nonexistent.log"], /ENOENT/],
    [["explain", "a", "--file", "x"], /not both/],
    [["--call-timeout", "0", "-c", "fixtures/configs/awskms.hcl"], /must be greater than zero/],
  ])("%j -> one line, exit 2", async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
