// A loopback HTTP CONNECT proxy (RFC 9110 section 9.3.6) for peers that cannot be given an endpoint: a
// client started with HTTPS_PROXY=http://127.0.0.1:<port> asks "CONNECT host:port", and only the host:port
// pairs of the allow-list are answered, each tunnelled to a loopback port of ours. Everything else (other
// hosts, other methods, plain proxied GETs) is refused with 403/405 and never dialled, so the proxy cannot
// become a route off the machine. Every CONNECT it saw is recorded for the caller to assert on.
import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";

export interface ConnectProxy {
  /** "http://127.0.0.1:<port>", the value for HTTPS_PROXY. */
  url: string;
  port: number;
  /** Every CONNECT request, in arrival order: target as asked and whether it was tunnelled. */
  requests(): { target: string; allowed: boolean }[];
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** `routes` maps "host:port" (lower case) to the loopback port it is tunnelled to. */
export async function startConnectProxy(routes: Record<string, number>): Promise<ConnectProxy> {
  const table = new Map(Object.entries(routes).map(([k, v]) => [k.toLowerCase(), v]));
  const seen: { target: string; allowed: boolean }[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  };

  // Anything but CONNECT (a proxied "GET http://…") is refused.
  const server = createServer((req, res) => {
    seen.push({ target: `${req.method ?? "?"} ${req.url ?? ""}`.slice(0, 300), allowed: false });
    res.writeHead(405, { "content-type": "text/plain", connection: "close" });
    res.end("only CONNECT to an allowed host is served here\n");
  });
  server.on("connection", track);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = String(req.url ?? "").toLowerCase();
    const port = table.get(target);
    seen.push({ target: target.slice(0, 300), allowed: port !== undefined });
    if (port === undefined) {
      client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port, timeout: CONNECT_TIMEOUT_MS });
    track(upstream);
    upstream.once("connect", () => {
      upstream.setTimeout(0);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once("timeout", () => upstream.destroy(new Error("connect timeout")));
    upstream.once("error", () => {
      if (!client.destroyed) client.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    client.once("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("connect-proxy: no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
