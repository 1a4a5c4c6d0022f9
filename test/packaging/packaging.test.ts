// What can be verified of the image and the examples without a Docker engine: every file the Dockerfile copies
// exists and is not excluded by .dockerignore, the entrypoint is the package's bin, the runtime user is not
// root, and the examples run the gate the way the README says.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/cli.js";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

interface Instruction { stage: number; op: string; args: string }

/** Dockerfile instructions with line continuations joined, numbered by build stage. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    if (m[1] === "FROM") stage++;
    out.push({ stage, op: m[1]!, args: m[2]!.trim() });
  }
  return out;
}

describe("Dockerfile", () => {
  const dockerfile = instructions(read("Dockerfile"));
  const lastStage = Math.max(...dockerfile.map((i) => i.stage));
  const pkg = JSON.parse(read("package.json")) as { bin: Record<string, string>; engines: { node: string } };
  const ignored = read(".dockerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));

  it("is multi-stage on one maintained Node LTS image, pinned to a full release, at or above package.json engines", () => {
    const froms = dockerfile.filter((i) => i.op === "FROM").map((i) => i.args);
    expect(froms).toHaveLength(2);
    const images = froms.map((f) => /^node:(\d+)\.\d+\.\d+-[a-z]+-slim AS (build|runtime)$/.exec(f));
    expect(images.every(Boolean), froms.join(", ")).toBe(true);
    expect(images.map((m) => m![2])).toEqual(["build", "runtime"]);
    expect(froms[0]!.split(" ")[0]).toBe(froms[1]!.split(" ")[0]);
    // Node 22 and 24 are the LTS lines CI runs the suite on; 20 reached end of life in April 2026.
    expect(["22", "24"]).toContain(images[0]![1]);
    expect(pkg.engines.node).toBe(">=22");
  });

  it("copies only files that exist and that .dockerignore lets through", () => {
    const fromContext = dockerfile.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const copy of fromContext) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const src of sources) {
        expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
        expect(ignored, `${src} is not in .dockerignore`).not.toContain(src);
      }
    }
  });

  it("the runtime stage ships the compiled bin and links it as the entrypoint", () => {
    const bin = pkg.bin["vault-kms-doctor"]!;
    expect(bin).toBe("dist/bundle/cli.js");
    const runtime = dockerfile.filter((i) => i.stage === lastStage);
    expect(runtime.some((i) => i.op === "COPY" && i.args === "--from=build /src/dist/bundle ./dist/bundle")).toBe(true);
    expect(runtime.find((i) => i.op === "WORKDIR")!.args).toBe("/opt/vault-kms-doctor");
    expect(runtime.find((i) => i.op === "RUN")!.args).toContain(`ln -s /opt/vault-kms-doctor/${bin} /usr/local/bin/vault-kms-doctor`);
    expect(runtime.find((i) => i.op === "ENTRYPOINT")!.args).toBe('["vault-kms-doctor"]');
    // cli.js reads ../../package.json for --version: it must sit at the WORKDIR root.
    expect(runtime.some((i) => i.op === "COPY" && i.args === "--from=build /src/package.json ./package.json")).toBe(true);
    expect(read("src/cli.ts").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("the build compiles what tsc needs, bundles it as npm publishes it, then drops the dev dependencies", () => {
    const build = dockerfile.filter((i) => i.stage === 0);
    expect(build.map((i) => i.args)).toEqual(expect.arrayContaining(["src ./src", "checks ./checks", "scripts ./scripts", "package.json package-lock.json tsconfig.json ./"]));
    const run = build.find((i) => i.op === "RUN" && i.args.includes("tsc"))!.args;
    expect(run.indexOf("tsc")).toBeLessThan(run.indexOf("node scripts/bundle.mjs"));
    expect(run.indexOf("node scripts/bundle.mjs")).toBeLessThan(run.indexOf("npm prune --omit=dev"));
  });

  it("compiles the optional PKCS#11 binding in the build stage (install scripts stay off for everything else)", () => {
    const pkgAll = JSON.parse(read("package.json")) as { optionalDependencies: Record<string, string> };
    expect(Object.keys(pkgAll.optionalDependencies)).toEqual(["pkcs11js"]);
    const runs = dockerfile.filter((i) => i.stage === 0 && i.op === "RUN").map((i) => i.args);
    const install = runs.findIndex((r) => r.includes("npm ci --ignore-scripts"));
    expect(install).toBeGreaterThan(0);
    expect(runs[install]).toContain("npm rebuild pkcs11js");
    expect(runs.slice(0, install).join(" ")).toMatch(/apt-get install .*python3 make g\+\+/);
    // The prune that follows keeps optional dependencies (only dev ones go), so the addon reaches the runtime stage.
    expect(runs.find((r) => r.includes("npm prune"))).toContain("--omit=dev");
  });

  it("runs as a non-root user", () => {
    const users = dockerfile.filter((i) => i.stage === lastStage && i.op === "USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });
});

describe("examples", () => {
  /** Lines that are not comments. */
  const live = (text: string) => text.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");
  /** The init container's `securityContext:` and `resources:` blocks, de-indented, for comparing two files. */
  const hardening = (text: string) => {
    const lines = live(text).split("\n");
    const block = (key: string) => {
      const i = lines.findIndex((l) => l.trim() === `${key}:`);
      expect(i, key).toBeGreaterThan(0);
      const indent = lines[i]!.search(/\S/);
      const out = [lines[i]!.trim()];
      for (const l of lines.slice(i + 1)) {
        if (l.trim() === "" || l.search(/\S/) <= indent) break;
        out.push(l.slice(indent));
      }
      return out.join("\n");
    };
    return `${block("securityContext")}\n${block("resources")}`;
  };

  it("Kubernetes init container: gate --wait 5m with the config volume, and no serviceAccountName of its own", () => {
    const text = read("examples/kubernetes/vault-statefulset-init-container.yaml");
    expect(text).toContain('args: ["gate", "--config", "/vault/config", "--wait", "5m", "--format", "json"]');
    // The pod's service account is Vault's; naming one would replace it whenever the names differ.
    expect(live(text)).not.toContain("serviceAccountName");
    expect(text).toMatch(/volumeMounts:\n(?:\s*#.*\n)*\s+- name: config\n\s+mountPath: \/vault\/config/);
    for (const want of ["runAsNonRoot: true", "allowPrivilegeEscalation: false", "readOnlyRootFilesystem: true", 'drop: ["ALL"]', "type: RuntimeDefault"]) {
      expect(hardening(text)).toContain(want);
    }
  });

  it("Helm values: server.extraInitContainers for the official chart, hardened like the patch, OnDelete explained", () => {
    const text = read("examples/kubernetes/helm-values.yaml");
    expect(text).toMatch(/^server:\n(?:.*\n)*  extraInitContainers:\n    - name: vault-kms-doctor/m);
    expect(text).toContain('args: ["gate", "--config", "/vault/config", "--wait", "5m"]');
    expect(hardening(text)).toBe(hardening(read("examples/kubernetes/vault-statefulset-init-container.yaml")));
    expect(live(text)).not.toContain("serviceAccountName");
    expect(text).toContain("updateStrategyType is OnDelete");
  });

  /** `--format` and `--output` of the doctor's command line in a CI file, paired as the CLI pairs them. */
  const formatsToOutputs = (text: string) => {
    const cmd = /npx --yes vault-kms-doctor@[\d.]+ check[^\n]*(?:\n\s+--[^\n]*)*/.exec(text)![0];
    const formats = [...cmd.matchAll(/--format (\S+)/g)].map((m) => m[1]!);
    const outputs = [...cmd.matchAll(/--output (\S+)/g)].map((m) => m[1]!);
    return Object.fromEntries(formats.map((f, i) => [f, outputs[i] ?? "-"]));
  };

  it("GitHub Actions: annotations, SARIF to code scanning and a JUnit report, even when the check fails, as Vault's role", () => {
    const text = read("examples/ci/github-actions.yml");
    expect(formatsToOutputs(text)).toEqual({ github: "-", sarif: "vault-kms-doctor.sarif", junit: "vault-kms-doctor.xml" });
    expect(text).toMatch(/if: always\(\)\n\s+uses: github\/codeql-action\/upload-sarif@v3\n\s+with:\n\s+sarif_file: vault-kms-doctor.sarif/);
    expect(text).toMatch(/if: always\(\)\n\s+uses: mikepenz\/action-junit-report@v5\n\s+with:\n\s+report_paths: vault-kms-doctor.xml/);
    expect(text).toContain("security-events: write");
    expect(text).toContain("id-token: write");
    expect(/role-to-assume: (\S+)/.exec(text)![1]).toBe("arn:aws:iam::111122223333:role/vault-unseal");
    expect(text).toContain('node-version: "22"');
  });

  it("GitLab CI: artifacts:reports:junit kept even when the job fails, as Vault's role", () => {
    const text = read("examples/ci/gitlab-ci.yml");
    expect(formatsToOutputs(text)).toEqual({ text: "-", junit: "vault-kms-doctor.xml", sarif: "vault-kms-doctor.sarif" });
    expect(text).toMatch(/artifacts:\n\s+when: always.*\n\s+reports:\n\s+junit: vault-kms-doctor.xml/);
    expect(/AWS_ROLE_ARN: (\S+)/.exec(text)![1]).toBe("arn:aws:iam::111122223333:role/vault-unseal");
    expect(/image: node:(\d+)\./.exec(text)![1]).toBe("22");
  });

  it("systemd drop-in: gate --wait 2m on exactly the file HashiCorp's unit gives Vault, with the unit's own environment", () => {
    const text = read("examples/systemd/vault-kms-doctor.conf");
    // HashiCorp's vault.service: ExecStart=/usr/bin/vault server -config=/etc/vault.d/vault.hcl and
    // EnvironmentFile=/etc/vault.d/vault.env (hashicorp/vault .release/linux/package/usr/lib/systemd/system/vault.service).
    expect(live(text)).toContain("ExecStartPre=/usr/local/bin/vault-kms-doctor gate --config /etc/vault.d/vault.hcl --wait 2m");
    // ExecStartPre shares the unit's EnvironmentFile; repeating it here would only drift.
    expect(live(text)).not.toContain("EnvironmentFile");
    expect(text).toContain("After=network-online.target");
    expect(text).toContain("Wants=network-online.target");
    expect(Number(/TimeoutStartSec=(\d+)/.exec(text)![1])).toBeGreaterThan(120);
  });
});
