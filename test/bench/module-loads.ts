// Which modules a real run loads, recorded by the module-log preload (no change to src/): the proof that an
// awskms-only run never loads the Google SDK, and that a gcpckms run does.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "../support/cli.js";
import { runTimed } from "./measure.js";

const PRELOAD = new URL("./preload/module-log.mjs", import.meta.url).href;

/** Packages that only the gcpckms path may load. */
export const GOOGLE_PACKAGES = ["@google-cloud/kms", "google-gax", "google-auth-library", "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs"];

export interface ModuleLoads {
  exitCode: number | null;
  modules: number;
  /** Modules of this project (not under node_modules). */
  ownModules: number;
  /** Package name -> modules loaded from it. */
  packages: Map<string, number>;
  googlePackages: string[];
}

/** `node_modules/@scope/name/...` or `node_modules/name/...` -> the package name (innermost node_modules). */
export function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf("/node_modules/");
  if (at < 0) return undefined;
  const parts = url.slice(at + "/node_modules/".length).split("/");
  return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

export async function recordModuleLoads(args: string[], env: NodeJS.ProcessEnv): Promise<ModuleLoads> {
  const dir = mkdtempSync(join(tmpdir(), "vkd-bench-modules-"));
  const logFile = join(dir, "modules.txt");
  try {
    const run = await runTimed(process.execPath, ["--import", PRELOAD, CLI, ...args], { env: { ...env, VKD_BENCH_MODULE_LOG: logFile }, timeoutMs: 60_000 });
    const urls = new Set(readFileSync(logFile, "utf8").split("\n").filter((u) => u.startsWith("file:")));
    const packages = new Map<string, number>();
    for (const url of urls) {
      const pkg = packageOf(url);
      if (pkg) packages.set(pkg, (packages.get(pkg) ?? 0) + 1);
    }
    return { exitCode: run.code, modules: urls.size, ownModules: [...urls].filter((u) => !packageOf(u)).length, packages, googlePackages: GOOGLE_PACKAGES.filter((p) => packages.has(p)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "12 packages (@aws-sdk/client-kms, ...)", biggest first, shortened. */
export function describePackages(loads: ModuleLoads, max = 8): string {
  const names = [...loads.packages.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const shown = names.slice(0, max).join(", ");
  return `${loads.packages.size} packages (${shown}${names.length > max ? ", …" : ""})`;
}
