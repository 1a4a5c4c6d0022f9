// TLS to the transit cluster, with a test CA made at test time (openssl) and real OpenBao 2.6 servers on
// loopback serving its certificates: good CA (and a certificate that expires within 30 days), wrong CA, wrong
// server name, expired certificate (verified: refused; with tls_skip_verify: warned and flagged). The servers
// are left uninitialised (inmem storage), which is also the health check's "not initialised" case.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { configFromText, runSealChecks, codesByCheck, findingIn } from "../support/check-harness.js";
import { freePort, startServer, type RunningServer } from "../conformance/openbao.js";
import { peerBinary } from "../support/peers.js";

let dir: string;
let CHECKS: AnyCheck[] = [];
const servers: RunningServer[] = [];
let goodPort = 0;
let expiredPort = 0;
let mtlsPort = 0;

function openssl(args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe", timeout: 20_000 });
}

/** A CA and a server certificate for 127.0.0.1 / transit.test signed by it, valid for `days` (0 = expires now). */
function makeCa(name: string) {
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "30", "-subj", `/CN=${name}`]);
}
function makeServerCert(ca: string, name: string, days: number) {
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=transit.test"]);
  writeFileSync(join(dir, `${name}.ext`), "subjectAltName=IP:127.0.0.1,DNS:transit.test\n");
  openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", String(days), "-extfile", `${name}.ext`]);
}

async function tlsServer(cert: string, listenerExtra = ""): Promise<number> {
  const port = await freePort();
  const cluster = await freePort();
  const config = join(dir, `${cert}.hcl`);
  writeFileSync(config, `storage "inmem" {}
listener "tcp" {
  address         = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_cert_file   = ${JSON.stringify(join(dir, `${cert}.pem`))}
  tls_key_file    = ${JSON.stringify(join(dir, `${cert}.key`))}
${listenerExtra}
}
api_addr = "https://127.0.0.1:${port}"
`);
  const server = startServer(peerBinary("bao"), config, port, { PATH: process.env.PATH, HOME: process.env.HOME });
  servers.push(server);
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (server.exited()) throw new Error(`bao exited:\n${server.log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
      s.setTimeout(500, () => (s.destroy(), resolve(false)));
    });
    if (up) return port;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`bao did not listen:\n${server.log()}`);
}

beforeAll(async () => {
  CHECKS = await Promise.all(["address", "health"].map(async (n) => (await import(`../../checks/transit/${n}.ts`)).default as AnyCheck));
  dir = mkdtempSync(join(tmpdir(), "vkd-transit-tls-"));
  makeCa("ca");
  makeCa("other-ca");
  makeServerCert("ca", "good", 10);
  makeServerCert("ca", "expired", 0);
  goodPort = await tlsServer("good");
  expiredPort = await tlsServer("expired");
  // A listener that requires a client certificate signed by "client-ca".
  makeCa("client-ca");
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=vault-seal"]);
  openssl(["x509", "-req", "-in", "client.csr", "-CA", "client-ca.pem", "-CAkey", "client-ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "10"]);
  writeFileSync(join(dir, "mtls.pem"), readFileSync(join(dir, "good.pem")));
  writeFileSync(join(dir, "mtls.key"), readFileSync(join(dir, "good.key")));
  mtlsPort = await tlsServer("mtls", `  tls_require_and_verify_client_cert = true\n  tls_client_ca_file = ${JSON.stringify(join(dir, "client-ca.pem"))}`);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function run(port: number, extra: string) {
  const text = `seal "transit" {\n  address = "https://127.0.0.1:${port}"\n  token = "s.not-used-here"\n  mount_path = "transit"\n  key_name = "unseal"\n${extra}\n}\n`;
  const config = configFromText(text, {});
  const result = await runSealChecks(config, CHECKS, { env: {}, callTimeoutMs: 3_000 });
  return { result, codes: codesByCheck(result) };
}

describe("transit TLS against real OpenBao 2.6 listeners with a test CA", () => {
  it("good CA: verified; the certificate expires within 30 days (warn); an uninitialised cluster fails health", async () => {
    const { codes, result } = await run(goodPort, `  tls_ca_cert = ${JSON.stringify(join(dir, "ca.pem"))}`);
    expect(codes["transit.address"]).toEqual(["warn:cert-expiring", "pass:ok"]);
    expect(findingIn(result, "transit.address", "cert-expiring").args).toMatchObject({ subject: "transit.test", days: 9 });
    expect(codes["transit.health"]).toEqual(["fail:uninitialized"]);
  });

  it("the server name given in tls_server_name is checked against the certificate", async () => {
    expect((await run(goodPort, `  tls_ca_cert = ${JSON.stringify(join(dir, "ca.pem"))}\n  tls_server_name = "transit.test"`)).codes["transit.address"]).toEqual(["warn:cert-expiring", "pass:ok"]);
    const wrong = await run(goodPort, `  tls_ca_cert = ${JSON.stringify(join(dir, "ca.pem"))}\n  tls_server_name = "vault.other.test"`);
    expect(wrong.codes["transit.address"]).toEqual(["fail:tls-failed"]);
    expect(findingIn(wrong.result, "transit.address", "tls-failed").details).toMatchObject({ tls_code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("wrong CA: refused", async () => {
    const { codes, result } = await run(goodPort, `  tls_ca_cert = ${JSON.stringify(join(dir, "other-ca.pem"))}`);
    expect(codes["transit.address"]).toEqual(["fail:tls-failed"]);
    expect(findingIn(result, "transit.address", "tls-failed").details).toMatchObject({ tls_code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it("expired certificate: refused when verified; with tls_skip_verify the doctor warns and still flags the expiry", async () => {
    const verified = await run(expiredPort, `  tls_ca_cert = ${JSON.stringify(join(dir, "ca.pem"))}`);
    expect(verified.codes["transit.address"]).toEqual(["fail:tls-failed"]);
    expect(findingIn(verified.result, "transit.address", "tls-failed").details).toMatchObject({ tls_code: "CERT_HAS_EXPIRED" });
    const skipped = await run(expiredPort, '  tls_skip_verify = "true"');
    expect(skipped.codes["transit.address"]).toEqual(["warn:skip-verify", "fail:cert-expired", "pass:ok"]);
  });

  it("client certificate: a listener that requires one accepts tls_client_cert/tls_client_key and refuses the seal without", async () => {
    const ca = `  tls_ca_cert = ${JSON.stringify(join(dir, "ca.pem"))}`;
    const withCert = await run(mtlsPort, `${ca}\n  tls_client_cert = ${JSON.stringify(join(dir, "client.pem"))}\n  tls_client_key = ${JSON.stringify(join(dir, "client.key"))}`);
    expect(withCert.codes["transit.address"]).toEqual(["warn:cert-expiring", "pass:ok"]);
    const without = await run(mtlsPort, ca);
    expect(without.codes["transit.address"]).toEqual(["fail:tls-failed"]);
    const half = await run(mtlsPort, `${ca}\n  tls_client_cert = ${JSON.stringify(join(dir, "client.pem"))}`);
    expect(half.codes["transit.address"]).toEqual(["fail:tls-config"]);
    expect(findingIn(half.result, "transit.address", "tls-config").args?.error).toBe("both client cert and client key must be provided");
  });
});
