// Reads Vault server configuration exactly as Vault does (shared/VAULT-FACTS.md, "How Vault reads a seal"):
// -config may repeat and may name a directory; seal blocks from all files are appended; the environment
// then overwrites values per seal type; VAULT_SEAL_TYPE overrides the type of every enabled seal.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseHcl, ConfigSyntaxError } from "./hcl.js";
import { locateSealBlocks, type BlockLocation } from "./locate.js";
import { SEAL_ENV, INDIRECT_KEYS } from "./seal-env.js";
import type { Provenance, ResolvedValue, SealConfig, VaultConfig } from "./seal-config.js";
import { FileRefusedError, readBounded, readBoundedText } from "../fs/read-bounded.js";
import { preflightSealFile } from "../fs/input-files.js";

/** A config the tool cannot read: exit code 2, one clear line, never a stack trace. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export { ConfigSyntaxError };

/** Vault's LoadConfigDir: *.hcl and *.json, editor backups skipped, in name order. */
export function configFilesIn(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${dir}: cannot list config directory: ${code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? (err as Error).message}`);
  }
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => e.name)
    .filter((n) => !n.endsWith("~") && !n.startsWith(".#") && !(n.startsWith("#") && n.endsWith("#")))
    .filter((n) => n.endsWith(".hcl") || n.endsWith(".json"))
    .sort()
    .map((n) => join(dir, n));
}

function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(`${p}: cannot read config: ${code === "ENOENT" ? "no such file or directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? (err as Error).message}`);
    }
    if (st.isDirectory()) {
      const inDir = configFilesIn(p);
      if (inDir.length === 0) throw new ConfigError(`${p}: directory holds no .hcl or .json config files`);
      files.push(...inDir);
    } else files.push(p);
  }
  return files;
}

export interface RawSealBlock {
  kind: "seal" | "kms";
  type: string;
  body: Record<string, unknown>;
  file: string;
  location?: BlockLocation;
}

function readText(file: string): string {
  let buf: Buffer;
  try {
    buf = readBounded(file, "config");
  } catch (err) {
    if (err instanceof FileRefusedError) throw new ConfigError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read config: ${code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? (err as Error).message}`);
  }
  return buf.toString("utf8");
}

/** Normalises both shapes HCL gives for a block list: [{type: [body]}] or {type: body}. */
function* sealEntries(value: unknown): Generator<[string, Record<string, unknown>]> {
  const lists = Array.isArray(value) ? value : [value];
  for (const item of lists) {
    if (!item || typeof item !== "object") continue;
    for (const [type, bodies] of Object.entries(item as Record<string, unknown>)) {
      for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
        if (body && typeof body === "object" && !Array.isArray(body)) yield [type, body as Record<string, unknown>];
      }
    }
  }
}

export function readSealBlocks(file: string): RawSealBlock[] {
  const text = readText(file);
  const parsed = parseHcl(text, file);
  const locations = locateSealBlocks(text);
  const blocks: RawSealBlock[] = [];
  for (const kind of ["seal", "kms"] as const) {
    if (!(kind in parsed)) continue;
    const ofKind = locations.filter((l) => l.kind === kind);
    let n = 0;
    for (const [type, body] of sealEntries(parsed[kind])) {
      const lowered = type.toLowerCase();
      // Match parsed blocks to located ones by order among blocks of the same type.
      const sameType = ofKind.filter((l) => l.type === lowered);
      const seen = blocks.filter((b) => b.kind === kind && b.type === lowered).length;
      blocks.push({ kind, type: lowered, body, file, location: sameType[seen] ?? ofKind[n] });
      n++;
    }
  }
  // Vault reads blocks in file order, whatever their kind.
  return blocks.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}

/** Vault coerces every value handed to the wrapper to a string (hcl.DecodeObject into map[string]string). */
function asString(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function parseBool(v: string): boolean | undefined {
  // Go's strconv.ParseBool
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return undefined;
}

export interface IndirectionEnv {
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** Resolves env://VAR, file:///path and string://text as Vault's parseutil.ParsePath does. */
export function resolveIndirection(raw: string, { env, readFile = (p) => readBoundedText(p, "credentials") }: IndirectionEnv): { value: string; error?: string } {
  if (raw.startsWith("env://")) {
    const name = raw.slice("env://".length);
    const v = env[name];
    return v === undefined ? { value: "", error: `environment variable ${name} is not set` } : { value: v };
  }
  if (raw.startsWith("file://")) {
    const path = raw.slice("file://".length);
    try {
      return { value: readFile(path).trim() };
    } catch (err) {
      // A FIFO, a device or an oversized file is the operator's input to fix: exit 2 naming it, not a finding.
      if (err instanceof FileRefusedError) throw new ConfigError(err.message);
      return { value: "", error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
  if (raw.startsWith("string://")) return { value: raw.slice("string://".length) };
  return { value: raw };
}

export interface LoadOptions {
  env: NodeJS.ProcessEnv;
}

/** Turns raw blocks into SealConfigs: common keys, env overlay, indirection, VAULT_SEAL_TYPE. */
export function buildSeals(blocks: RawSealBlock[], { env }: LoadOptions, fileProvenance?: (b: RawSealBlock, key?: string) => Provenance): SealConfig[] {
  const where = fileProvenance ?? ((b: RawSealBlock, key?: string): Provenance => ({
    kind: "file",
    file: b.file,
    line: key ? (b.location?.keys.get(key) ?? b.location?.line) : b.location?.line,
  }));
  const envSealType = env.VAULT_SEAL_TYPE?.trim();
  return blocks.map((b, index) => {
    const values: Record<string, ResolvedValue> = {};
    let disabled = false;
    let priority: number | undefined;
    let name: string | undefined;
    for (const [key, raw] of Object.entries(b.body)) {
      const str = asString(raw);
      if (key === "disabled") { disabled = parseBool(str) ?? false; values[key] = { value: str, from: where(b, key) }; continue; }
      if (key === "priority") { priority = Number.parseInt(str, 10); values[key] = { value: str, from: where(b, key) }; continue; }
      if (key === "name") { name = str; values[key] = { value: str, from: where(b, key) }; continue; }
      values[key] = { value: str, from: where(b, key) };
    }
    const type = !disabled && envSealType ? envSealType.toLowerCase() : b.type;
    // A type named like a property every JS object has ("constructor", "__proto__", "toString") would be looked up
    // in the tool's own tables as if it were a seal type; no Vault seal is called that, so it is refused here, once.
    for (const [t, source] of [[b.type, b.file === "<flags>" ? "--seal" : b.file], [type, "VAULT_SEAL_TYPE"]] as const) {
      if (t in Object.prototype) throw new ConfigError(`${source}: ${JSON.stringify(t)} is not a seal type (Vault's are awskms, gcpckms, azurekeyvault, transit, pkcs11, ocikms, alicloudkms, ...)`);
    }
    const envConflicts: SealConfig["envConflicts"] = [];
    const rule = Object.hasOwn(SEAL_ENV, type) ? SEAL_ENV[type] : undefined;
    if (rule) {
      const byKey = new Map<string, { name: string; value: string }[]>();
      for (const [varName, key] of Object.entries(rule.vars)) {
        const v = env[varName];
        if (v === undefined || v === "") continue;
        byKey.set(key, [...(byKey.get(key) ?? []), { name: varName, value: v }]);
      }
      for (const [key, vars] of byKey) {
        if (rule.fileWins?.includes(key) && values[key]?.value) continue;
        if (!rule.ordered?.includes(key) && new Set(vars.map((x) => x.value)).size > 1) envConflicts.push({ key, vars });
        const winner = vars[0]!;
        const prior = values[key];
        values[key] = {
          value: winner.value,
          from: { kind: "env", name: winner.name },
          overridden: prior ? [{ value: prior.value, from: prior.from }] : undefined,
        };
      }
    }
    for (const [key, v] of Object.entries(values)) {
      if (!INDIRECT_KEYS.has(key) || !/^(env|file|string):\/\//.test(v.value)) continue;
      const r = resolveIndirection(v.value, { env });
      values[key] = { ...v, value: r.value, indirection: v.value, resolveError: r.error };
    }
    for (const [key, v] of Object.entries(values)) {
      try {
        preflightSealFile(key, v.value, type);
      } catch (err) {
        if (err instanceof FileRefusedError) throw new ConfigError(err.message);
        throw err;
      }
    }
    const resolvedName = name ?? (disabled ? `${type}-disabled` : type);
    return {
      index,
      type,
      declaredType: b.type,
      typeOverriddenBy: type !== b.type ? "VAULT_SEAL_TYPE" : undefined,
      kind: b.kind,
      name: resolvedName,
      nameFrom: name !== undefined ? where(b, "name") : { kind: "default" },
      disabled,
      priority: Number.isNaN(priority) ? undefined : priority,
      from: where(b),
      values,
      envConflicts,
    } satisfies SealConfig;
  });
}

export function loadVaultConfig(paths: string[], opts: LoadOptions): VaultConfig {
  const files = expandPaths(paths);
  const blocks: RawSealBlock[] = [];
  for (const f of files) blocks.push(...readSealBlocks(f));
  return { files, seals: buildSeals(blocks, opts), origin: "config" };
}

/** A seal described on the command line (`--seal awskms --key-id ... --region ...`), read as if it were a file. */
export function sealFromFlags(type: string, settings: Record<string, string>, opts: LoadOptions): VaultConfig {
  const block: RawSealBlock = { kind: "seal", type: type.toLowerCase(), body: settings, file: "<flags>" };
  const flagName: Record<string, string> = { kms_key_id: "key-id", crypto_key: "crypto-key", key_ring: "key-ring" };
  const seals = buildSeals([block], opts, (_b, key) => (key ? { kind: "flag", name: flagName[key] ?? key.replace(/_/g, "-") } : { kind: "flag", name: "seal" }));
  return { files: [], seals, origin: "flags" };
}

