// The package as users get it (`npx vault-kms-doctor`, `npm install -g`): a copy of the project as a clean clone
// has it (no dist/) is packed with `npm pack` (its `prepack` script builds), the tarball is installed into an
// empty prefix with npm, and the installed bin runs from an unrelated folder. The build runs in the copy, so the
// dist/ that other tests spawn is never rewritten under them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { ROOT, baseEnv } from "../support/cli.js";

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; files: string[] };

// npm itself may run on the machine's own Node; the installed bin runs on the Node running this suite
// (its "#!/usr/bin/env node" line finds the first node on PATH).
const PATH = [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
// npm itself keeps what lets it reach the registry on this machine: its CA bundle, proxy and npm_config_* settings
// (installing a tarball resolves its dependencies afresh, so some may not be in npm's cache). The doctor's own runs
// (runBin below) get baseEnv alone.
const REGISTRY_ACCESS = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|no_proxy|npm_config_.*)$/i;
const registryAccess = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => REGISTRY_ACCESS.test(k)));
const npmEnv = () => baseEnv({ ...registryAccess(), PATH, npm_config_update_notifier: "false", npm_config_loglevel: "error" });

let work: string;
let tarball: string;
let tarballFiles: string[];
let bin: string;
let elsewhere: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "vkd-pack-"));
  const clone = join(work, "clone");
  for (const p of ["package.json", "package-lock.json", "tsconfig.json", "README.md", "LICENSE", "src", "checks", "schema", "scripts", "test", "fixtures"]) {
    cpSync(join(ROOT, p), join(clone, p), { recursive: true });
  }
  // The clone's build needs the compiler, types and esbuild: the project's own node_modules, not a second install.
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: clone, env: npmEnv(), timeout: 180_000, maxBuffer: 16 << 20 });
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  tarballFiles = info[0]!.files.map((f) => f.path);

  const prefix = join(work, "prefix");
  await run("npm", ["install", "--prefix", prefix, tarball, "--no-audit", "--no-fund", "--prefer-offline"], { cwd: work, env: npmEnv(), timeout: 300_000, maxBuffer: 16 << 20 });
  bin = join(prefix, "node_modules", ".bin", "vault-kms-doctor");
  elsewhere = mkdtempSync(join(tmpdir(), "vkd-elsewhere-"));
}, 480_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
});

async function runBin(args: string[], extra: Record<string, string> = {}) {
  try {
    const r = await run(bin, args, { cwd: elsewhere, env: baseEnv({ PATH, ...extra }), timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm pack → npm install → run", () => {
  it("the tarball holds the bundled CLI, its schema, README and LICENSE, and nothing from tests, fixtures or the emulator", () => {
    // scripts/bundle.mjs: one folder, the entries (cli.js, the pkcs11 probe-child.js) and their chunks, with the
    // bundled packages' license texts.
    expect(tarballFiles).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/bundle/cli.js", "dist/bundle/probe-child.js", "schema/report.schema.json"]));
    expect(tarballFiles.some((f) => /^dist\/bundle\/main-\w+\.js$/.test(f))).toBe(true);
    const allowed = /^(package\.json|README\.md|LICENSE|dist\/bundle\/[\w-]+\.js(\.LEGAL\.txt)?|schema\/.+\.json)$/;
    expect(tarballFiles.filter((f) => !allowed.test(f))).toEqual([]);
    expect(tarballFiles.filter((f) => /test|fixture|emulator|\.ts$/.test(f))).toEqual([]);
    expect(pkg.files).not.toContain("dist");
  });

  it("--version prints the package version", async () => {
    const r = await runBin(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it("--help lists the commands", async () => {
    const r = await runBin(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("vault-kms-doctor");
    expect(r.stdout).toMatch(/gate/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a run against a closed loopback port fails with exit 1 and a report, not a crash", async () => {
    const r = await runBin(["--seal", "awskms", "--key-id", "alias/x", "--region", "us-east-1", "--format", "json", "--timeout", "10s"], {
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { verdict: string; summary: { error: number; fail: number }; tool: { version: string } };
    expect(report.verdict).toBe("problems");
    expect(report.summary.error + report.summary.fail).toBeGreaterThan(0);
    expect(report.tool.version).toBe(pkg.version);
  });

  it("a gcpckms run loads the Google SDK the bundle leaves out, from the installed dependencies", async () => {
    // A service-account key whose token_uri is a closed loopback port: gcpckms.credentials asks google-auth-library
    // for a token (src/clients/gcp.ts loads it with @google-cloud/kms), which cannot answer.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const keyFile = join(elsewhere, "sa.json");
    writeFileSync(keyFile, JSON.stringify({ type: "service_account", project_id: "vault-project", private_key_id: "1", private_key: privateKey, client_email: "vault@vault-project.iam.gserviceaccount.com", client_id: "1", token_uri: "http://127.0.0.1:9/token" }));
    const r = await runBin(["--seal", "gcpckms", "--project", "vault-project", "--region", "global", "--key-ring", "r", "--crypto-key", "k", "--format", "json", "--timeout", "10s"], { GOOGLE_APPLICATION_CREDENTIALS: keyFile });
    expect(r.stderr).not.toMatch(/\n\s+at |ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { verdict: string; targets: { checks: { id: string; status: string; findings: { code: string }[] }[] }[] };
    expect(report.verdict).toBe("problems");
    const credentials = report.targets.flatMap((t) => t.checks).find((c) => c.id === "gcpckms.credentials")!;
    expect(credentials.status).toBe("error");
    expect(credentials.findings.map((f) => f.code)).toEqual(["token-failed"]);
  });

  it("the installed package is the tarball's: no source tree came along", () => {
    const installed = join(work, "prefix", "node_modules", pkg.name);
    // (npm may nest a dependency under the package's own node_modules/)
    expect(readdirSync(installed).filter((f) => f !== "node_modules").sort()).toEqual(["LICENSE", "README.md", "dist", "package.json", "schema"]);
    expect(readdirSync(join(installed, "dist")).sort()).toEqual(["bundle"]);
  });
});
