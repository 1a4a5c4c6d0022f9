// The loopback CONNECT proxy the gcpckms conformance rows route OpenBao through, the run-time test CA, and the
// doctor under the same HTTPS_PROXY: only allow-listed targets are tunnelled, a certificate for
// cloudkms.googleapis.com verifies against the CA through the tunnel, and the doctor (target openbao@2.6, key
// file in GOOGLE_APPLICATION_CREDENTIALS) never uses the proxy for its loopback token endpoint.
import { request } from "node:http";
import { createServer as createTcpServer, type Server } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import { createTestCa, issueServerCert } from "../emulator/gcp/tls-cert.js";
import { baseEnv, runCli } from "../support/cli.js";
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((r) => server.close(r)));
  const a = server.address();
  return typeof a === "object" && a ? a.port : 0;
}

async function proxy(routes: Record<string, number>): Promise<ConnectProxy> {
  const p = await startConnectProxy(routes);
  closers.push(() => p.close());
  return p;
}

/** Sends CONNECT `target`; resolves with the status and, on 200, the tunnelled socket. */
function connectVia(p: ConnectProxy, target: string) {
  return new Promise<{ status: number; socket?: import("node:net").Socket }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: p.port, method: "CONNECT", path: target, timeout: 5_000 });
    req.once("connect", (res, socket) => {
      if (res.statusCode === 200) resolve({ status: 200, socket });
      else {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0 });
      }
    });
    req.once("error", reject);
    req.end();
  });
}

describe("loopback CONNECT proxy", () => {
  it("tunnels allow-listed host:port pairs to their loopback port and refuses everything else", async () => {
    const echo = createTcpServer((s) => s.pipe(s));
    const port = await listen(echo);
    const p = await proxy({ "Cloudkms.GoogleAPIs.com:443": port });

    const ok = await connectVia(p, "cloudkms.googleapis.com:443");
    expect(ok.status).toBe(200);
    const reply = await new Promise<string>((resolve) => {
      ok.socket!.once("data", (d) => resolve(d.toString()));
      ok.socket!.write("ping");
    });
    ok.socket!.destroy();
    expect(reply).toBe("ping");

    expect((await connectVia(p, "oauth2.googleapis.com:443")).status).toBe(403);
    expect((await connectVia(p, "169.254.169.254:80")).status).toBe(403);
    expect((await connectVia(p, "cloudkms.googleapis.com:80")).status).toBe(403);
    const get = await fetch(`${p.url}/`, { signal: AbortSignal.timeout(5_000) });
    expect(get.status).toBe(405);
    expect(p.requests().map((r) => [r.target, r.allowed])).toEqual([
      ["cloudkms.googleapis.com:443", true],
      ["oauth2.googleapis.com:443", false],
      ["169.254.169.254:80", false],
      ["cloudkms.googleapis.com:80", false],
      ["GET /", false],
    ]);
  });

  it("a certificate the test CA issues for cloudkms.googleapis.com verifies through the tunnel", async () => {
    const ca = createTestCa();
    const leaf = issueServerCert(ca, ["cloudkms.googleapis.com", "localhost"]);
    const tlsServer = createTlsServer({ key: leaf.keyPem, cert: leaf.certPem }, (s) => s.end("hello"));
    const p = await proxy({ "cloudkms.googleapis.com:443": await listen(tlsServer) });
    const { socket } = await connectVia(p, "cloudkms.googleapis.com:443");
    const verify = (servername: string) =>
      new Promise<string>((resolve) => {
        const t = tlsConnect({ socket: socket!, servername, ca: ca.certPem }, () => t.once("data", (d) => resolve(`ok ${d}`)));
        t.once("error", (err) => resolve(err.message));
      });
    expect(await verify("cloudkms.googleapis.com")).toBe("ok hello");
    const again = await connectVia(p, "cloudkms.googleapis.com:443");
    const wrongName = await new Promise<string>((resolve) => {
      const t = tlsConnect({ socket: again.socket!, servername: "kms.example.com", ca: ca.certPem }, () => resolve("ok"));
      t.once("error", (err) => resolve(err.message));
    });
    expect(wrongName).toMatch(/does not match certificate's altnames/);
  });
});

describe("the doctor under HTTPS_PROXY (the environment of the gcp conformance rows)", () => {
  it("reads GOOGLE_APPLICATION_CREDENTIALS for OpenBao and fetches its token at the loopback token_uri directly", async () => {
    const emu = await startEmulator("gcp-healthy");
    closers.push(() => emu.close());
    // No route at all: any use of the proxy would be refused (403) and recorded.
    const p = await proxy({});
    const env = baseEnv({ ...emu.env, HTTPS_PROXY: p.url, NO_PROXY: "127.0.0.1,localhost" });
    const res = await runCli(["-c", "fixtures/configs/gcpckms.hcl", "--format", "json", "--target", "openbao@2.6", "--call-timeout", "2s"], { env });
    const report = JSON.parse(res.stdout);
    const credentials = report.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "gcpckms.credentials");
    expect(credentials.findings[0]).toMatchObject({ status: "pass", code: "file", args: { from: "env GOOGLE_APPLICATION_CREDENTIALS" } });
    expect(res.code).toBe(0);
    expect(p.requests()).toEqual([]);
  });
});
