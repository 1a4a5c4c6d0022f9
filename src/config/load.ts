// Reads Vault server configuration exactly as Vault does (docs/vault-seal-facts.md#reading-the-config):
// -config may repeat and may name a directory; seal blocks from all files are appended; the environment
// then overwrites values per seal type; VAULT_SEAL_TYPE overrides the type of every enabled seal.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseHcl, ConfigSyntaxError } from "./hcl.js";
import { parseGoBool } from "../go-bool.js";
import { locateSealBlocks, type BlockLocation } from "./locate.js";
import { sealDescriptor, settingFlag } from "../seals/index.js";
import type { TargetServer } from "../targets/server-behaviour.js";
import { formatProvenance, type Provenance, type ResolvedValue, type SealConfig, type VaultConfig } from "./seal-config.js";
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

/**
 * A stanza Vault refuses: its own words, after the file and line. The texts are those of Vault's and OpenBao's
 * parseKMS (helper/configutil/kms.go in openbao v2.6.0; internalshared/configutil/kms.go in hashicorp/vault),
 * as `bao server` 2.6.2 printed them for the same input.
 */
function refused(where: string, what: string, vaultSays: string): ConfigError {
  return new ConfigError(`${where}: ${what}; Vault refuses to start: ${vaultSays}`);
}

function lineOf(text: string, word: string): number | undefined {
  const i = text.search(new RegExp(`(^|[\\s{,"])${word}(?![A-Za-z0-9_])`));
  return i < 0 ? undefined : text.slice(0, i + 1).split("\n").length;
}

const isBlock = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Normalises both shapes HCL gives for a block list ([{type: [body]}] or {type: body}) and refuses what Vault refuses. */
function* sealEntries(kind: string, value: unknown, where: string): Generator<[string, Record<string, unknown>]> {
  if (value === null || typeof value !== "object") {
    throw refused(where, `${kind} = ${JSON.stringify(value)} is a value, not a block like ${kind} "awskms" { ... }`, `error parsing '${kind}': ${kind}.${kind}: root: not an object type for map (*ast.LiteralType)`);
  }
  const lists = Array.isArray(value) ? value : [value];
  for (const item of lists) {
    if (!isBlock(item)) throw refused(where, `a ${kind} entry is not a block`, `error parsing '${kind}': ${kind}.${kind}: root: not an object type for map (*ast.LiteralType)`);
    const entries = Object.entries(item);
    // `seal { region = "x" }` or JSON {"seal": {"awskms": "x"}}: no type label, so Vault takes "seal" as the type.
    if (entries.some(([, v]) => !isBlock(v) && !(Array.isArray(v) && v.every(isBlock)))) {
      throw refused(where, `the ${kind} block has no type label (write ${kind} "awskms" { ... })`, `Error configuring seal "${kind}": unknown wrapper: ${kind}`);
    }
    for (const [type, bodies] of entries) {
      for (const body of Array.isArray(bodies) ? bodies : [bodies]) yield [type, body as Record<string, unknown>];
    }
  }
}

export function readSealBlocks(file: string): RawSealBlock[] {
  return readConfigFile(file).blocks;
}

/** OpenBao 2.6+ `plugin "kms" "<name>" { command = …, sha256sum = … }` blocks (command/server/config.go parsePlugins). */
function kmsPluginsIn(parsed: Record<string, unknown>, file: string, text: string): KmsPlugin[] {
  const out: KmsPlugin[] = [];
  const lists = Array.isArray(parsed.plugin) ? parsed.plugin : parsed.plugin ? [parsed.plugin] : [];
  for (const item of lists) {
    if (!isBlock(item)) continue;
    for (const [type, byName] of Object.entries(item)) {
      if (type.toLowerCase() !== "kms") continue;
      for (const named of Array.isArray(byName) ? byName : [byName]) {
        if (!isBlock(named)) continue;
        for (const [name, bodies] of Object.entries(named)) {
          const line = lineOf(text, `plugin\\s+"kms"\\s+"${name.replace(/[^A-Za-z0-9_-]/g, ".")}"`);
          const body = (Array.isArray(bodies) ? bodies[0] : bodies) as Record<string, unknown> | undefined;
          const str = (k: string) => (body && typeof body[k] === "string" ? (body[k] as string) : undefined);
          out.push({ name, where: `${file}${line ? `:${line}` : ""}`, command: str("command"), sha256sum: str("sha256sum") });
        }
      }
    }
  }
  return out;
}

export interface KmsPlugin {
  name: string;
  /** file:line */
  where: string;
  command?: string;
  sha256sum?: string;
}

function readConfigFile(file: string): { blocks: RawSealBlock[]; kmsPlugins: KmsPlugin[]; pluginDirectory?: { value: string; where: string } } {
  const text = readText(file);
  const parsed = parseHcl(text, file);
  const locations = locateSealBlocks(text);
  const blocks: RawSealBlock[] = [];
  for (const kind of ["seal", "kms"] as const) {
    if (!(kind in parsed)) continue;
    const ofKind = locations.filter((l) => l.kind === kind);
    const line = ofKind[0]?.line ?? lineOf(text, kind);
    let n = 0;
    for (const [type, body] of sealEntries(kind, parsed[kind], `${file}${line ? `:${line}` : ""}`)) {
      const lowered = type.toLowerCase();
      // Match parsed blocks to located ones by order among blocks of the same type.
      const sameType = ofKind.filter((l) => l.type === lowered);
      const seen = blocks.filter((b) => b.kind === kind && b.type === lowered).length;
      const location = sameType[seen] ?? ofKind[n];
      // `seal "awskms" "extra" { ... }`: Vault reads the first label and the body inside.
      const inner = Object.values(body);
      const twoLabels = inner.length === 1 && Array.isArray(inner[0]) && isBlock(inner[0][0]) &&
        new RegExp(`^\\s*${kind}\\s+"${lowered.replace(/[^a-z0-9_-]/g, ".")}"\\s+"`, "mi").test(text);
      blocks.push({ kind, type: lowered, body: twoLabels ? (inner[0] as Record<string, unknown>[])[0]! : body, file, location });
      n++;
    }
  }
  // Vault reads blocks in file order, whatever their kind.
  return { blocks: blocks.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0)), kmsPlugins: kmsPluginsIn(parsed, file, text),
    pluginDirectory: typeof parsed.plugin_directory === "string" ? { value: parsed.plugin_directory, where: `${file}${lineOf(text, "plugin_directory") ? `:${lineOf(text, "plugin_directory")}` : ""}` } : undefined,
  };
}

/** Vault's ParseBool on a decoded HCL value (go-secure-stdlib parseutil.ParseBool = mapstructure.WeakDecode): true/false, numbers by zero, "" as false. */
function vaultBool(raw: unknown): boolean | undefined {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "number") return raw !== 0;
  if (typeof raw === "string") return raw === "" ? false : parseGoBool(raw);
  return undefined;
}

/** The Go type mapstructure names when a value cannot become a string. */
function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return v.every(isBlock) ? "[]map[string]interface {}" : "[]interface {}";
  return "map[string]interface {}";
}

/** Vault coerces every value handed to the wrapper to a string (hcl.DecodeObject into map[string]string). */
function asString(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
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
  /** The server that reads this config: how the environment overlays it differs (src/seals/, `envFor`). */
  server?: TargetServer;
}

/**
 * The seal type the environment forces on every enabled seal. Vault: VAULT_SEAL_TYPE. OpenBao 2.6: BAO_SEAL_TYPE,
 * read with api.ReadBaoVariable (a BAO_ variable that is set, even empty, hides VAULT_*), command/server.go.
 */
function envSealTypeOf(env: NodeJS.ProcessEnv, server: TargetServer | undefined): { value: string; name: string } | undefined {
  const name = server === "openbao" && env.BAO_SEAL_TYPE !== undefined ? "BAO_SEAL_TYPE" : "VAULT_SEAL_TYPE";
  const value = env[name]?.trim();
  return value ? { value, name } : undefined;
}

/** Turns raw blocks into SealConfigs: common keys, env overlay, indirection, VAULT_SEAL_TYPE. */
export function buildSeals(blocks: RawSealBlock[], { env, server }: LoadOptions, fileProvenance?: (b: RawSealBlock, key?: string) => Provenance): SealConfig[] {
  const where = fileProvenance ?? ((b: RawSealBlock, key?: string): Provenance => ({
    kind: "file",
    file: b.file,
    line: key ? (b.location?.keys.get(key) ?? b.location?.line) : b.location?.line,
  }));
  const envSealType = envSealTypeOf(env, server);
  return blocks.map((b, index) => {
    const values: Record<string, ResolvedValue> = {};
    let disabled = false;
    let priority: number | undefined;
    let name: string | undefined;
    const label = `${b.kind}.${b.type}`;
    const at = (key: string) => formatProvenance(where(b, key));
    for (const [key, raw] of Object.entries(b.body)) {
      if (raw !== null && typeof raw === "object") {
        throw refused(at(key), `${key} is a ${Array.isArray(raw) ? "list" : "block"}, not a value`, `error parsing '${b.kind}': ${label}: '' expected type 'string', got unconvertible type '${goTypeOf(raw)}'`);
      }
      const str = asString(raw);
      if (key === "disabled") {
        const parsed = vaultBool(raw);
        if (parsed === undefined) {
          throw refused(at(key), `disabled = ${JSON.stringify(str)} is not a boolean`, `error parsing '${b.kind}': ${label}: cannot parse '' as bool: strconv.ParseBool: parsing ${JSON.stringify(str)}: invalid syntax`);
        }
        disabled = parsed;
        values[key] = { value: str, from: where(b, key) };
        continue;
      }
      if (key === "priority") { priority = Number.parseInt(str, 10); values[key] = { value: str, from: where(b, key) }; continue; }
      if (key === "name") { name = str; values[key] = { value: str, from: where(b, key) }; continue; }
      values[key] = { value: str, from: where(b, key) };
    }
    const type = !disabled && envSealType ? envSealType.value.toLowerCase() : b.type;
    // A type named like a property every JS object has ("constructor", "__proto__", "toString") is no Vault seal;
    // refused here, once, with one line.
    for (const [t, source] of [[b.type, b.file === "<flags>" ? "--seal" : b.file], [type, envSealType?.name ?? "VAULT_SEAL_TYPE"]] as const) {
      if (t in Object.prototype) throw new ConfigError(`${source}: ${JSON.stringify(t)} is not a seal type (Vault's are awskms, gcpckms, azurekeyvault, transit, pkcs11, ocikms, alicloudkms, ...)`);
    }
    const envConflicts: SealConfig["envConflicts"] = [];
    const descriptor = sealDescriptor(type);
    const rule = (server && descriptor?.envFor?.[server]) ?? descriptor?.env;
    if (rule) {
      const byKey = new Map<string, { name: string; value: string }[]>();
      for (const [varName, key] of rule.vars) {
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
      if (!descriptor?.settings.some((st) => st.name === key && st.indirect) || !/^(env|file|string):\/\//.test(v.value)) continue;
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
      typeOverriddenBy: type !== b.type ? envSealType?.name : undefined,
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
  const kmsPlugins: KmsPlugin[] = [];
  let pluginDirectory: VaultConfig["pluginDirectory"];
  for (const f of files) {
    const read = readConfigFile(f);
    blocks.push(...read.blocks);
    kmsPlugins.push(...read.kmsPlugins);
    // A scalar setting: the last file that sets it wins (Vault's config merge).
    pluginDirectory = read.pluginDirectory ?? pluginDirectory;
  }
  return { files, seals: buildSeals(blocks, opts), origin: "config", kmsPlugins, pluginDirectory, rebuild: (server) => buildSeals(blocks, { ...opts, server }) };
}

/** A seal described on the command line (`--seal awskms --key-id ... --region ...`), read as if it were a file. */
export function sealFromFlags(type: string, settings: Record<string, string>, opts: LoadOptions): VaultConfig {
  const block: RawSealBlock = { kind: "seal", type: type.toLowerCase(), body: settings, file: "<flags>" };
  const seals = buildSeals([block], opts, (_b, key) => (key ? { kind: "flag", name: settingFlag(block.type, key) ?? key.replace(/_/g, "-") } : { kind: "flag", name: "seal" }));
  return { files: [], seals, origin: "flags" };
}

