// Runs the PKCS#11 probe (src/pkcs11/probe-child.ts) in a child process with a deadline and output caps, and
// holds what the pkcs11 checks share: the config facts, the binding lookup, and the facts each check publishes.
//
// The binding is the npm package pkcs11js (PeculiarVentures, N-API, built by node-gyp at install). It is an
// optionalDependency: installing the doctor never needs a compiler, and nothing loads it unless a pkcs11 seal
// is checked; then its absence is an `error` finding that names the package.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckContext } from "../check.js";
import { registerSecret } from "../redact.js";
import type { KeyObject, LibraryResult, ProbeInput, ProbeOutput, RoundTripResult, SessionResult } from "./probe-types.js";
import type { KeyResolution } from "./key-rules.js";
import { shq } from "../shell.js";

export const BINDING_PACKAGE = "pkcs11js";
export const BINDING_VERSION = "2.1.7";
export const PKCS11_DOCS = "https://developer.hashicorp.com/vault/docs/configuration/seal/pkcs11";

const MAX_STDOUT = 1 << 20;
const MAX_STDERR = 16 << 10;

/** The path of the binding's entry, or undefined when the optional dependency is not installed. */
export function resolveBinding(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(BINDING_PACKAGE);
  } catch {
    return undefined;
  }
}

let devChild: Promise<string> | undefined;

/**
 * How to start the child: the compiled .js next to this file; running from sources (the tests, under vitest),
 * the .ts bundled once per process with esbuild (vite's own, a dev dependency) into a temporary .mjs.
 */
async function childCommand(): Promise<{ args: string[]; cwd: string }> {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { args: [join(dirname(here), "probe-child.js")], cwd: process.cwd() };
  devChild ??= (async () => {
    const esbuild = await import("esbuild");
    const outfile = join(mkdtempSync(join(tmpdir(), "vkd-probe-")), "probe-child.mjs");
    await esbuild.build({ entryPoints: [join(dirname(here), "probe-child.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "silent" });
    return outfile;
  })();
  return { args: [await devChild], cwd: process.cwd() };
}

export type ProbeRun = { ok: true; output: ProbeOutput } | { ok: false; reason: "timeout" | "crashed" | "unreadable"; detail: string };

/** One probe run: at most `timeoutMs`, then the child is killed (a library stuck in C_Initialize or on a dead HSM link). */
export function runProbe(input: ProbeInput, opts: { env: NodeJS.ProcessEnv; timeoutMs: number; signal: AbortSignal }): Promise<ProbeRun> {
  return childCommand().then(({ args, cwd }) => new Promise<ProbeRun>((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let settled = false;
    const finish = (r: ProbeRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener("abort", onAbort);
      if (child.exitCode === null) child.kill("SIGKILL");
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: "timeout", detail: `no answer within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    const onAbort = () => finish({ ok: false, reason: "timeout", detail: "the run's time budget ran out" });
    opts.signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.length > MAX_STDOUT) finish({ ok: false, reason: "unreadable", detail: "the probe's answer exceeded 1 MiB" });
    });
    child.stderr.on("data", (d: Buffer) => { if (err.length < MAX_STDERR) err += d.toString("utf8").slice(0, MAX_STDERR - err.length); });
    child.on("error", (e) => finish({ ok: false, reason: "crashed", detail: e.message }));
    child.on("close", (code, sig) => {
      if (settled) return;
      try {
        finish({ ok: true, output: JSON.parse(out) as ProbeOutput });
      } catch {
        const last = err.trim().split("\n").filter(Boolean).slice(-3).join(" | ").slice(0, 500);
        finish({ ok: false, reason: "crashed", detail: `the probe process ended (${sig ?? `exit ${code}`}) without an answer${last ? `: ${last}` : ""}` });
      }
    });
    child.stdin.on("error", () => { /* the child died before reading: reported on close */ });
    child.stdin.end(JSON.stringify(input));
  }), (err: Error) => ({ ok: false as const, reason: "crashed" as const, detail: `the probe could not be started: ${err.message}` }));
}

/** The probe's deadline: generous for a network HSM's first C_Initialize, within the run's budget. */
export function probeTimeout(ctx: CheckContext<never, never>): number {
  return Math.min(ctx.options.timeoutMs, Math.max(ctx.options.callTimeoutMs * 5, 2_000));
}

/**
 * PINs a token refused in this process, by a hash of library, token and PIN (never the PIN itself): the gate
 * re-runs failing checks until they pass, and each C_Login with a wrong PIN brings the token closer to locking.
 */
const refusedPins = new Set<string>();

function pinKey(lib: string, token: { serial: string; label: string }, pin: string): string {
  return createHash("sha256").update(`${lib}\0${token.serial}\0${token.label}\0${pin}`).digest("hex");
}

export function pinRefusedBefore(lib: string, token: { serial: string; label: string }, pin: string | undefined): boolean {
  return pin !== undefined && refusedPins.has(pinKey(lib, token, pin));
}

export function rememberRefusedPin(lib: string, token: { serial: string; label: string }, pin: string | undefined): void {
  if (pin !== undefined) refusedPins.add(pinKey(lib, token, pin));
}

export interface Pkcs11ConfigFacts {
  lib: string;
  libFrom: string;
  slot?: string;
  tokenLabel?: string;
  selectorFrom: string;
  /** Undefined when no usable PIN: the login check then refuses to try. */
  pin?: string;
  pinFrom?: string;
  keyLabel?: string;
  keyId?: string;
  keyFrom: string;
  mechanism?: number;
  oaepHash: string;
  disableSoftwareEncryption: boolean;
  forceRwSession: boolean;
}

export interface Pkcs11LibraryFacts {
  binding: string;
  library: LibraryResult;
}

export interface Pkcs11TokenFacts {
  slot: string;
  label: string;
  serial: string;
  flags: number;
}

export interface Pkcs11LoginFacts {
  session: SessionResult;
}

export interface Pkcs11KeyFacts {
  resolution: KeyResolution & { ok: true };
  objects: KeyObject[];
  mechanism: number;
}

export interface Pkcs11RoundTripFacts {
  result: RoundTripResult;
}

/** The probe input for a stage, from the config facts. The PIN is registered for redaction before it goes anywhere. */
export function probeInput(stage: ProbeInput["stage"], binding: string, cfg: Pkcs11ConfigFacts): ProbeInput {
  registerSecret(cfg.pin);
  return {
    stage, binding, lib: cfg.lib, slot: cfg.slot, tokenLabel: cfg.tokenLabel,
    pin: stage === "session" ? cfg.pin : undefined,
    keyLabel: cfg.keyLabel, keyId: cfg.keyId, mechanism: cfg.mechanism, oaepHash: cfg.oaepHash,
    disableSoftwareEncryption: cfg.disableSoftwareEncryption, forceRwSession: cfg.forceRwSession,
  };
}

/** The project's shell quoting (src/shell.ts), keeping a <PLACEHOLDER> as it is. */
export const sh = (value: string): string => (/^<[A-Z0-9_]{1,40}>$/.test(value) ? value : shq(value));

declare module "../facts.js" {
  interface FactMap {
    "pkcs11.config": Pkcs11ConfigFacts;
    "pkcs11.library": Pkcs11LibraryFacts;
    "pkcs11.token": Pkcs11TokenFacts;
    "pkcs11.login": Pkcs11LoginFacts;
    "pkcs11.key": Pkcs11KeyFacts;
    "pkcs11.round-trip": Pkcs11RoundTripFacts;
  }
}
