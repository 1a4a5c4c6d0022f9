// The harness refuses to start anything when an endpoint it would hand to OpenBao or the doctor is not on
// loopback: every URL-looking value of the environment and every endpoint of the seal config.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname;
    return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** Throws naming every value that would make a peer dial off the machine. */
export function assertLoopbackOnly(env: Record<string, string | undefined>, endpoints: string[]): void {
  const bad: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
    if (!isLoopbackUrl(value)) bad.push(`${name}=${value}`);
  }
  for (const e of endpoints) if (!isLoopbackUrl(e)) bad.push(`endpoint ${e}`);
  if (bad.length > 0) throw new Error(`conformance: refusing to run, not a loopback endpoint: ${bad.join(", ")}`);
}
