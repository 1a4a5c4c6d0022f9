// 8. Install from the tarball (issue 17): what `npm install -g vault-kms-doctor` / `npx vault-kms-doctor` costs a
// user: the tarball `npm pack` makes (dist is already built by the bench), its unpacked size, the time to install it
// into an empty prefix with its dependencies from the registry (npm's cache warm: the first install is the warm-up),
// and the size of what lands on disk.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, ROOT } from "../support/cli.js";
import { formatMs, median, runTimed } from "./measure.js";
import type { BenchSection } from "./results.js";

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function benchInstall(log: (line: string) => void): Promise<BenchSection> {
  const work = mkdtempSync(join(tmpdir(), "vkd-bench-install-"));
  const env = baseEnv({ npm_config_update_notifier: "false" });
  try {
    const packed = await runTimed("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { env, timeoutMs: 120_000 });
    if (packed.code !== 0) throw new Error(`npm pack: ${packed.stderr.slice(0, 300)}`);
    const info = (JSON.parse(packed.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number }[])[0]!;
    const tarball = join(work, info.filename);
    const times: number[] = [];
    let onDisk = 0;
    let packages = 0;
    for (let i = 0; i < 3; i++) {
      const prefix = join(work, `prefix-${i}`);
      log(`install ${i + 1}/3${i === 0 ? " (warm-up)" : ""}…`);
      const r = await runTimed("npm", ["install", "--prefix", prefix, tarball, "--no-audit", "--no-fund", "--prefer-offline"], { env, cwd: work, timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`npm install: ${r.stderr.slice(0, 300)}`);
      if (i > 0) times.push(r.ms);
      const du = await runTimed("du", ["-sb", join(prefix, "node_modules")], { env });
      onDisk = Number(du.stdout.split(/\s/)[0]);
      packages = Number(/added (\d+) packages?/.exec(r.stdout)?.[1] ?? NaN);
      rmSync(prefix, { recursive: true, force: true });
    }
    return {
      id: 8,
      title: "Install from the tarball",
      rows: [
        { name: "tarball (`npm pack`)", doctor: `${(info.size / 1e3).toFixed(0)} kB, ${info.entryCount} files, ${(info.unpackedSize / 1e3).toFixed(0)} kB unpacked`, met: "n/a" },
        { name: "`npm install` of the tarball into an empty prefix", doctor: `${formatMs(median(times))} (warm npm cache)`, met: "n/a" },
        { name: "installed: node_modules with dependencies", doctor: `${mb(onDisk)}, ${packages} packages`, met: "n/a" },
      ],
      notes: [
        "The tarball holds only dist/bundle (scripts/bundle.mjs: esbuild over tsc's output), schema/, README.md and LICENSE (test/packaging/pack-install.test.ts checks it); its dependencies are what the bundle leaves out: the Google SDK, gRPC, the HCL parser and the optional pkcs11 binding.",
        "Install time is the median of two `npm install --prefix <empty> <tarball> --no-audit --no-fund --prefer-offline` after one warm-up install, so dependencies come from npm's cache: a first install on a clean machine also downloads them.",
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
