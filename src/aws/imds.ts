// A direct look at EC2 instance metadata (IMDSv2), to tell *why* instance credentials fail: the token PUT
// that never answers from a container is the hop-limit-1 trap. Never called when AWS_EC2_METADATA_DISABLED=true.
import { request } from "node:http";

export const DEFAULT_IMDS_ENDPOINT = "http://169.254.169.254";

export function imdsEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.AWS_EC2_METADATA_DISABLED ?? "").toLowerCase() === "true") return undefined;
  return (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? DEFAULT_IMDS_ENDPOINT).replace(/\/+$/, "");
}

interface HttpAnswer { status: number; body: string }

function call(url: string, method: "GET" | "PUT", headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { if (body.length < 65536) body += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

export interface ImdsProbe {
  endpoint: string;
  tokenOk: boolean;
  /** Why the token PUT failed: timeout (hop limit), refused, HTTP status. */
  tokenError?: string;
  tokenTimedOut?: boolean;
  roleName?: string;
  region?: string;
  error?: string;
}

export async function probeImds(endpoint: string, timeoutMs: number): Promise<ImdsProbe> {
  const probe: ImdsProbe = { endpoint, tokenOk: false };
  let token: string;
  try {
    const t = await call(`${endpoint}/latest/api/token`, "PUT", { "x-aws-ec2-metadata-token-ttl-seconds": "60" }, timeoutMs);
    if (t.status !== 200) {
      probe.tokenError = `HTTP ${t.status}`;
      return probe;
    }
    token = t.body.trim();
    probe.tokenOk = true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    probe.tokenTimedOut = code === "ETIMEDOUT";
    probe.tokenError = code === "ETIMEDOUT" ? `the token PUT got no answer within ${timeoutMs} ms` : `${code ?? (err as Error).message}`;
    return probe;
  }
  try {
    const h = { "x-aws-ec2-metadata-token": token };
    const roles = await call(`${endpoint}/latest/meta-data/iam/security-credentials/`, "GET", h, timeoutMs);
    if (roles.status === 200) probe.roleName = roles.body.split("\n")[0]?.trim() || undefined;
    else probe.error = `no instance profile role (HTTP ${roles.status} from iam/security-credentials/)`;
    const region = await call(`${endpoint}/latest/meta-data/placement/region`, "GET", h, timeoutMs);
    if (region.status === 200) probe.region = region.body.trim();
  } catch (err) {
    probe.error = (err as Error).message;
  }
  return probe;
}
