// The transit checks against a real OpenBao 2.6 dev server on loopback as the transit engine: real HTTP, real
// ACLs, real tokens. Each case asserts finding codes (and the data in them), never prose.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { configFromText, runSealChecks, codesByCheck, findingIn } from "../support/check-harness.js";
import { freePort } from "../conformance/openbao.js";
import { runChecks } from "../../src/runner.js";
import { createToken, SEAL_POLICY, startDevServer, type DevServer } from "./dev-server.js";

const NAMES = ["settings", "address", "health", "token", "permissions", "key", "round-trip"] as const;
let CHECKS: AnyCheck[] = [];

let bao: DevServer;
const tokens: Record<string, string> = {};

const READER_POLICY = `path "sys/mounts/*" { capabilities = ["read"] }
path "transit/keys/*" { capabilities = ["read"] }
path "transit/encrypt/*" { capabilities = ["update"] }
path "transit/decrypt/*" { capabilities = ["update"] }
path "nope/*" { capabilities = ["update"] }
path "secret/*" { capabilities = ["update"] }`;

async function ok(p: Promise<{ status: number; json: any }>) {
  const r = await p;
  if (r.status >= 300) throw new Error(`setup call failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r;
}

beforeAll(async () => {
  CHECKS = await Promise.all(NAMES.map(async (n) => (await import(`../../checks/transit/${n}.ts`)).default as AnyCheck));
  bao = await startDevServer();
  await ok(bao.api("POST", "sys/mounts/transit", { type: "transit" }));
  for (const k of ["unseal", "deletable", "rotated"]) await ok(bao.api("POST", `transit/keys/${k}`, {}));
  await ok(bao.api("POST", "transit/keys/signing", { type: "ed25519" }));
  await ok(bao.api("POST", "transit/keys/deletable/config", { deletion_allowed: true }));
  await ok(bao.api("POST", "transit/keys/rotated/rotate", {}));
  await ok(bao.api("POST", "transit/keys/rotated/config", { min_decryption_version: 2 }));
  await ok(bao.api("PUT", "sys/policies/acl/reader", { policy: READER_POLICY }));
  await ok(bao.api("PUT", "sys/policies/acl/autounseal", { policy: SEAL_POLICY("transit", "unseal") }));
  await ok(bao.api("PUT", "sys/policies/acl/encrypt-only", { policy: `path "transit/encrypt/unseal" { capabilities = ["update"] }` }));
  await ok(bao.api("PUT", "sys/policies/acl/decrypt-only", { policy: `path "transit/decrypt/unseal" { capabilities = ["update"] }\npath "transit/keys/unseal" { capabilities = ["read"] }\npath "sys/mounts/transit" { capabilities = ["read"] }` }));
  tokens.good = await createToken(bao, { policies: ["reader"], period: "24h" }, "auth/token/create-orphan");
  tokens.least = await createToken(bao, { policies: ["autounseal"], period: "24h" }, "auth/token/create-orphan");
  tokens.nopolicy = await createToken(bao, { policies: ["default"], period: "24h" }, "auth/token/create-orphan");
  tokens.encryptOnly = await createToken(bao, { policies: ["encrypt-only"], period: "24h" }, "auth/token/create-orphan");
  tokens.decryptOnly = await createToken(bao, { policies: ["decrypt-only"], period: "24h" }, "auth/token/create-orphan");
  tokens.child = await createToken(bao, { policies: ["reader"], period: "24h" });
  tokens.notRenewable = await createToken(bao, { policies: ["reader"], ttl: "1h", renewable: false }, "auth/token/create-orphan");
  tokens.plainTtl = await createToken(bao, { policies: ["reader"], ttl: "1h" }, "auth/token/create-orphan");
  tokens.revoked = await createToken(bao, { policies: ["reader"], period: "24h" }, "auth/token/create-orphan");
  await ok(bao.api("POST", "auth/token/revoke", { token: tokens.revoked }));
}, 60_000);

afterAll(async () => {
  await bao?.stop();
});

interface Case {
  address?: string | null;
  token?: string | null;
  mount?: string | null;
  key?: string;
  extra?: string;
  env?: NodeJS.ProcessEnv;
}

function stanza(c: Case): string {
  const lines = ['seal "transit" {'];
  const address = c.address === undefined ? bao.addr : c.address;
  if (address !== null) lines.push(`  address = ${JSON.stringify(address)}`);
  const token = c.token === undefined ? tokens.good : c.token;
  if (token !== null) lines.push(`  token = ${JSON.stringify(token)}`);
  const mount = c.mount === undefined ? "transit" : c.mount;
  if (mount !== null) lines.push(`  mount_path = ${JSON.stringify(mount)}`);
  lines.push(`  key_name = ${JSON.stringify(c.key ?? "unseal")}`);
  if (c.extra) lines.push(c.extra);
  lines.push("}");
  return lines.join("\n");
}

async function run(c: Case, only?: string[]) {
  // `server` is the target the verdict speaks for (--target): OpenBao's wrapper reads the environment differently.
  const { server, ...env } = c.env ?? {};
  const target = server === "openbao" ? { server: "openbao" as const, why: "test" } : undefined;
  const config = configFromText(stanza(c), env, undefined, target?.server);
  const defs = only ? CHECKS.filter((d) => only.includes(d.id)) : CHECKS;
  const result = await runSealChecks(config, defs, { env, callTimeoutMs: 3_000, target });
  return { result, codes: codesByCheck(result) };
}

async function keyExists(name: string): Promise<boolean> {
  return (await bao.api("GET", `transit/keys/${name}`)).status === 200;
}

describe("transit checks against a real OpenBao 2.6 transit engine", () => {
  it("healthy: a periodic orphan token with read on the key passes everything; plain HTTP is a warning", async () => {
    const { codes, result } = await run({});
    expect(codes["transit.settings"]).toEqual(["pass:ok"]);
    expect(codes["transit.address"]).toEqual(["warn:plain-http", "pass:ok"]);
    expect(codes["transit.health"]).toEqual(["pass:ok"]);
    expect(codes["transit.token"]).toEqual(["pass:ok"]);
    expect(codes["transit.permissions"]).toEqual(["pass:ok"]);
    expect(codes["transit.key"]).toEqual(["pass:mount-ok", "pass:ok"]);
    expect(codes["transit.round-trip"]).toEqual(["pass:ok"]);
    expect(findingIn(result, "transit.key", "ok").args).toMatchObject({ key: "unseal", type: "aes256-gcm96", latest: 1, minDecrypt: 1 });
    expect(findingIn(result, "transit.round-trip", "ok").args).toMatchObject({ version: "v1" });
    // The token is never printed.
    expect(JSON.stringify(result)).not.toContain(tokens.good);
  });

  it("least privilege (update on encrypt/decrypt only): the mount and key cannot be read (error, what to grant), the round trip still proves it", async () => {
    const { codes, result } = await run({ token: tokens.least });
    expect(codes["transit.key"]).toEqual(["error:mount-unreadable", "error:unreadable"]);
    expect(findingIn(result, "transit.key", "mount-unreadable").doctorPermission).toBe("read on sys/mounts/transit");
    expect(findingIn(result, "transit.key", "unreadable").doctorPermission).toBe("read on transit/keys/unseal");
    expect(codes["transit.permissions"]).toEqual(["pass:ok"]);
    expect(codes["transit.round-trip"]).toEqual(["pass:ok"]);
  });

  it("missing key, token without create: the key check says missing, the encrypt is refused, and no key was created", async () => {
    const { codes, result } = await run({ key: "missing" });
    expect(codes["transit.key"]).toEqual(["pass:mount-ok", "fail:missing"]);
    expect(findingIn(result, "transit.key", "missing").fix?.commands.join("\n")).toContain(`vault write -f transit/keys/missing`);
    expect(codes["transit.round-trip"]).toEqual(["fail:encrypt-denied"]);
    expect(findingIn(result, "transit.round-trip", "encrypt-denied").args).toMatchObject({ error: "permission denied" });
    expect(await keyExists("missing")).toBe(false);
  });

  it("missing key, root token (its encrypt would create the key): the doctor does not encrypt, and no key was created", async () => {
    const { codes } = await run({ key: "missing-root", token: bao.rootToken });
    expect(codes["transit.token"]).toEqual(["pass:ok", "warn:root"]);
    expect(codes["transit.key"]).toEqual(["pass:mount-ok", "fail:missing"]);
    expect(codes["transit.round-trip"]).toEqual(["error:not-tried"]);
    expect(await keyExists("missing-root")).toBe(false);
  });

  it("wrong mount: nothing mounted there", async () => {
    const { codes, result } = await run({ mount: "nope" });
    expect(codes["transit.key"]).toEqual(["fail:no-mount"]);
    expect(findingIn(result, "transit.key", "no-mount").args).toMatchObject({ mount: "nope", error: "No secret engine mount at nope/" });
    expect(codes["transit.round-trip"]).toEqual(["fail:failed"]);
    expect(findingIn(result, "transit.round-trip", "failed").args).toMatchObject({ step: "Encrypt", error: 'no handler for route "nope/encrypt/unseal". route entry not found.' });
  });

  it("a mount that is not transit (the dev server's kv at secret/)", async () => {
    const { codes, result } = await run({ mount: "secret" });
    expect(codes["transit.key"]).toEqual(["fail:not-transit"]);
    expect(findingIn(result, "transit.key", "not-transit").args).toMatchObject({ mount: "secret", type: "kv" });
  });

  it("a token without the policy: permissions fail on both paths, encrypt refused", async () => {
    const { codes, result } = await run({ token: tokens.nopolicy });
    expect(codes["transit.permissions"]).toEqual(["fail:missing", "fail:missing"]);
    expect(findingIn(result, "transit.permissions", "missing").args).toMatchObject({ path: "transit/encrypt/unseal", caps: "deny" });
    expect(findingIn(result, "transit.permissions", "missing").fix?.commands[0]).toContain('path "transit/decrypt/unseal" { capabilities = ["update"] }');
    expect(codes["transit.round-trip"]).toEqual(["fail:encrypt-denied"]);
  });

  it("a token that may encrypt but not decrypt", async () => {
    const { codes, result } = await run({ token: tokens.encryptOnly });
    expect(codes["transit.permissions"]).toEqual(["fail:missing"]);
    expect(findingIn(result, "transit.permissions", "missing").args).toMatchObject({ path: "transit/decrypt/unseal" });
    expect(codes["transit.round-trip"]).toEqual(["fail:decrypt-denied"]);
  });

  it("a revoked token is rejected", async () => {
    const { codes, result } = await run({ token: tokens.revoked });
    expect(codes["transit.token"]).toEqual(["fail:rejected"]);
    expect(findingIn(result, "transit.token", "rejected").args).toMatchObject({ error: "permission denied" });
    expect(codes["transit.permissions"]).toEqual(["error:unreadable"]);
    expect(codes["transit.round-trip"]).toEqual(["error:not-tried"]);
    expect(JSON.stringify(result)).not.toContain(tokens.revoked);
  });

  it("a token with a 5-second max TTL fails, with renewal disabled fails, and once expired is rejected", async () => {
    const short = await createToken(bao, { policies: ["reader"], ttl: "5s", explicit_max_ttl: "5s" }, "auth/token/create-orphan");
    const first = await run({ token: short });
    expect(first.codes["transit.token"]).toEqual(["pass:ok", "fail:expires"]);
    const short2 = await createToken(bao, { policies: ["reader"], ttl: "5s" }, "auth/token/create-orphan");
    const disabled = await run({ token: short2, extra: '  disable_renewal = "true"' }, ["transit.address", "transit.token"]);
    expect(disabled.codes["transit.token"]).toEqual(["pass:ok", "fail:renewal-disabled"]);
    expect(findingIn(disabled.result, "transit.token", "renewal-disabled").args?.hours).toBeLessThan(0.01);
    await new Promise((r) => setTimeout(r, 6_000));
    const later = await run({ token: short }, ["transit.address", "transit.token"]);
    expect(later.codes["transit.token"]).toEqual(["fail:rejected"]);
  }, 30_000);

  it("token lifetimes: not renewable (1 h: fails, under a day), renewable but not periodic, not an orphan", async () => {
    expect((await run({ token: tokens.notRenewable }, ["transit.address", "transit.token"])).codes["transit.token"]).toEqual(["pass:ok", "fail:not-renewable"]);
    expect((await run({ token: tokens.plainTtl }, ["transit.address", "transit.token"])).codes["transit.token"]).toEqual(["pass:ok", "warn:not-periodic"]);
    expect((await run({ token: tokens.child }, ["transit.address", "transit.token"])).codes["transit.token"]).toEqual(["pass:ok", "warn:not-orphan"]);
  });

  it("keys: deletion_allowed warns, min_decryption_version warns, a signing key cannot encrypt", async () => {
    expect((await run({ key: "deletable" })).codes["transit.key"]).toEqual(["pass:mount-ok", "pass:ok", "warn:deletion-allowed"]);
    const rotated = await run({ key: "rotated" });
    expect(rotated.codes["transit.key"]).toEqual(["pass:mount-ok", "pass:ok", "warn:min-decryption"]);
    expect(findingIn(rotated.result, "transit.round-trip", "ok").args).toMatchObject({ version: "v2" });
    const signing = await run({ key: "signing" });
    expect(signing.codes["transit.key"]).toEqual(["pass:mount-ok", "pass:ok", "fail:no-encryption", "fail:no-encryption"]);
    expect(signing.result.checks.find((c) => c.id === "transit.key")!.findings.filter((f) => f.code === "no-encryption").map((f) => f.args?.op)).toEqual(["encryption", "decryption"]);
    expect(signing.codes["transit.round-trip"]).toEqual(["fail:failed"]);
    expect(findingIn(signing.result, "transit.round-trip", "failed").args?.error).toMatch(/ed25519/);
  });

  it("settings: no token in the stanza takes the server's VAULT_TOKEN (the trap); no mount_path", async () => {
    const trap = await run({ token: null, env: { VAULT_TOKEN: tokens.good } });
    expect(trap.codes["transit.settings"]).toEqual(["warn:token-from-env", "pass:ok"]);
    expect(findingIn(trap.result, "transit.settings", "token-from-env").args).toMatchObject({ var: "VAULT_TOKEN", server: "Vault" });
    expect(trap.codes["transit.token"]).toEqual(["pass:from-env", "pass:ok"]);
    expect(trap.codes["transit.round-trip"]).toEqual(["pass:ok"]);
    // OpenBao reads BAO_TOKEN before VAULT_TOKEN (api/env.go ReadBaoVariable).
    const bao2 = await run({ token: null, env: { server: "openbao", BAO_TOKEN: tokens.good, VAULT_TOKEN: tokens.revoked } }, ["transit.settings"]);
    expect(findingIn(bao2.result, "transit.settings", "token-from-env").args).toMatchObject({ var: "BAO_TOKEN", server: "OpenBao 2.6" });
    const none = await run({ token: null, env: {} }, ["transit.address", "transit.token"]);
    expect(none.codes["transit.token"]).toEqual(["fail:no-token"]);
    const noMount = await run({ mount: null }, ["transit.address", "transit.permissions", "transit.key", "transit.round-trip"]);
    expect(noMount.codes["transit.permissions"]).toEqual(["error:no-settings"]);
    expect(noMount.codes["transit.key"]).toEqual(["error:no-settings"]);
    expect(noMount.codes["transit.round-trip"]).toEqual(["error:no-settings"]);
  });

  it("settings: on OpenBao TRANSIT_WRAPPER_TOKEN replaces the stanza's token; unresolvable env://; mount_path naming an API path; namespace from the environment", async () => {
    const over = await run({ env: { server: "openbao", TRANSIT_WRAPPER_TOKEN: tokens.revoked } }, ["transit.settings", "transit.address", "transit.token"]);
    expect(over.codes["transit.settings"]).toEqual(["warn:overrides-file", "pass:ok"]);
    expect(findingIn(over.result, "transit.settings", "overrides-file").args).toMatchObject({ var: "TRANSIT_WRAPPER_TOKEN", key: "token" });
    expect(over.codes["transit.token"]).toEqual(["pass:from-env", "fail:rejected"]);
    // Vault ignores TRANSIT_WRAPPER_TOKEN (configutil: WithDisallowEnvVars): the stanza's token is used.
    const vault = await run({ env: { TRANSIT_WRAPPER_TOKEN: tokens.revoked } }, ["transit.settings", "transit.address", "transit.token"]);
    expect(vault.codes["transit.token"]).toEqual(["pass:ok"]);
    const addrOver = await run({ address: "http://127.0.0.1:1", env: { server: "openbao", VAULT_TRANSIT_SEAL_ADDR: bao.addr } }, ["transit.settings", "transit.address"]);
    expect(addrOver.codes["transit.settings"]).toEqual(["warn:overrides-file", "pass:ok"]);
    expect(addrOver.codes["transit.address"]).toEqual(["warn:plain-http", "pass:ok"]);
    expect((await run({ token: "env://TRANSIT_TEST_UNSET_VAR" }, ["transit.settings"])).codes["transit.settings"]).toEqual(["fail:unresolved", "pass:ok"]);
    expect((await run({ mount: "transit/encrypt" }, ["transit.settings"])).codes["transit.settings"]).toEqual(["fail:mount-path-form", "pass:ok"]);
    expect((await run({ env: { VAULT_NAMESPACE: "team-a" } }, ["transit.settings"])).codes["transit.settings"]).toEqual(["pass:namespace-from-env", "pass:ok"]);
  });

  it("address: default address, agent address, not a URL, nothing listening, unreadable CA file", async () => {
    const dflt = await run({ address: null }, ["transit.address"]);
    expect(dflt.codes["transit.address"]![0]).toBe("warn:default-address");
    expect(findingIn(dflt.result, "transit.address", "default-address").args).toMatchObject({ address: "https://127.0.0.1:8200" });
    const agent = await run({ address: "http://127.0.0.1:1", env: { VAULT_AGENT_ADDR: bao.addr } }, ["transit.address"]);
    expect(agent.codes["transit.address"]).toEqual(["warn:agent-address", "warn:plain-http", "pass:ok"]);
    expect((await run({ address: "127.0.0.1:8200" }, ["transit.address"])).codes["transit.address"]).toEqual(["fail:bad-address"]);
    const port = await freePort();
    const dead = await run({ address: `http://127.0.0.1:${port}` }, ["transit.address", "transit.health"]);
    expect(dead.codes["transit.address"]).toEqual(["warn:plain-http", "error:unreachable"]);
    expect(findingIn(dead.result, "transit.address", "unreachable").details).toMatchObject({ error_code: "ECONNREFUSED" });
    const ca = await run({ address: `https://127.0.0.1:${port}`, extra: '  tls_ca_cert = "/nonexistent/ca.pem"' }, ["transit.address"]);
    expect(ca.codes["transit.address"]).toEqual(["fail:tls-config"]);
  });

  it("migration: the old (disabled) transit seal needs only decrypt; no round trip runs on it", async () => {
    const text = `${stanza({ token: tokens.decryptOnly }).replace('seal "transit" {', 'seal "transit" {\n  disabled = "true"')}\nseal "shamir" {}\n`;
    const config = configFromText(text, {});
    expect(config.seals[0]!.disabled).toBe(true);
    // The real runner (it applies each check's oldSeal rule), transit checks only.
    const run = await runChecks({ config, env: {}, options: { timeoutMs: 20_000, callTimeoutMs: 3_000, enterprise: false }, only: ["transit.*"] });
    const result = run.targets.find((t) => t.disabled === true)!;
    const codes = codesByCheck(result);
    expect(codes["transit.permissions"]).toEqual(["pass:ok"]);
    expect(findingIn(result, "transit.permissions", "ok").args).toMatchObject({ paths: "transit/decrypt/unseal" });
    expect(codes["transit.key"]).toEqual(["pass:mount-ok", "pass:ok"]);
    expect(result.checks.map((c) => c.id)).not.toContain("transit.round-trip");
  });

  it("health: something that is not Vault at the address", async () => {
    const other: Server = createServer((_req, res) => res.writeHead(404, { "Content-Type": "text/html" }).end("<h1>not found</h1>"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (other.address() as { port: number }).port;
      const { codes } = await run({ address: `http://127.0.0.1:${port}` });
      expect(codes["transit.health"]).toEqual(["error:unexpected"]);
      expect(codes["transit.token"]).toEqual(["error:unreadable"]);
      expect(codes["transit.key"]).toEqual(["error:mount-unreadable", "error:unreadable"]);
    } finally {
      other.close();
    }
  });

  it("health: a sealed transit cluster (sealed last: the other cases need it unsealed)", async () => {
    await ok(bao.api("PUT", "sys/seal"));
    const { codes } = await run({}, ["transit.address", "transit.health"]);
    expect(codes["transit.health"]).toEqual(["fail:sealed"]);
  });
});
