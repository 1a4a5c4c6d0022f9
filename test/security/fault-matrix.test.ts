// Every fault is diagnosed, never passed: throttling that recovers and that does not, 5xx, latency under and
// over the deadline, an endpoint that accepts and never answers, connection refused, a reset mid-response,
// malformed and truncated bodies, gRPC UNAVAILABLE and DEADLINE_EXCEEDED. For each: the round trip's status and
// cause, the exit code, a run that ends within its budget, and no stack trace.
// Not covered here: DNS failure for the endpoint host — resolving a name would send a query off this machine.
import { describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { loadScenario, type Scenario } from "../emulator/scenarios.js";
import { startEmulator } from "../emulator/index.js";
import type { AwsFault } from "../emulator/aws/scenario.js";
import type { GcpFault } from "../emulator/gcp/scenario.js";
import { runCli } from "../support/cli.js";
import { scenarioEnv, check } from "../support/emulated-run.js";

const BUDGET = ["--timeout", "6s", "--call-timeout", "1s"];
const MARGIN_MS = 2_500;

interface Case {
  name: string;
  cloud: "aws" | "gcp";
  faults?: (AwsFault | GcpFault)[];
  env?: (env: Record<string, string>) => Promise<Record<string, string>> | Record<string, string>;
  status: string;
  cause?: string;
  exit: number;
  /** extra assertion on the audit log */
  calls?: (ops: string[]) => void;
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const cases: Case[] = [
  { name: "throttled once, then recovers", cloud: "aws", faults: [{ kind: "throttle", service: "kms", operation: "Encrypt", times: 1 }], status: "pass", exit: 0,
    calls: (ops) => expect(ops.filter((o) => o === "Encrypt").length).toBeGreaterThanOrEqual(2) },
  { name: "throttled, never recovers", cloud: "aws", faults: [{ kind: "throttle", service: "kms" }], status: "fail", cause: "throttled", exit: 1 },
  { name: "HTTP 500", cloud: "aws", faults: [{ kind: "http-error", service: "kms", status: 500 }], status: "fail", cause: "kms_internal_error", exit: 1 },
  { name: "HTTP 503", cloud: "aws", faults: [{ kind: "http-error", service: "kms", status: 503 }], status: "fail", exit: 1 },
  { name: "latency under the deadline", cloud: "aws", faults: [{ kind: "latency", service: "kms", latencyMs: 300 }], status: "pass", exit: 0 },
  { name: "latency over the deadline", cloud: "aws", faults: [{ kind: "latency", service: "kms", latencyMs: 4_000 }], status: "error", cause: "network_unreachable", exit: 1 },
  { name: "accepts and never answers", cloud: "aws", faults: [{ kind: "hang", service: "kms" }], status: "error", cause: "network_unreachable", exit: 1 },
  { name: "connection reset", cloud: "aws", faults: [{ kind: "reset", service: "kms" }], status: "error", cause: "network_unreachable", exit: 1 },
  { name: "malformed body", cloud: "aws", faults: [{ kind: "malformed", service: "kms" }], status: "error", exit: 1 },
  { name: "truncated body", cloud: "aws", faults: [{ kind: "truncated", service: "kms" }], status: "error", exit: 1 },
  { name: "connection refused", cloud: "aws", env: async () => ({ AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${await closedPort()}` }), status: "error", cause: "network_unreachable", exit: 1 },
  { name: "gRPC UNAVAILABLE", cloud: "gcp", faults: [{ kind: "UNAVAILABLE" }], status: "error", cause: "network_unreachable", exit: 1 },
  { name: "gRPC DEADLINE_EXCEEDED", cloud: "gcp", faults: [{ kind: "DEADLINE_EXCEEDED", operation: "Encrypt" }], status: "error", cause: "network_unreachable", exit: 1 },
];

describe("fault matrix", () => {
  it.each(cases)("$name", async (c) => {
    const base = loadScenario(c.cloud === "aws" ? "healthy" : "gcp-healthy");
    const scenario: Scenario = c.cloud === "aws"
      ? { ...base, aws: { ...base.aws!, faults: c.faults as AwsFault[] } }
      : { ...base, gcp: { ...base.gcp!, faults: c.faults as GcpFault[] } };
    const emu = await startEmulator(scenario);
    try {
      const extra = c.env ? await c.env(emu.env) : {};
      const config = c.cloud === "aws" ? "fixtures/configs/awskms.hcl" : "fixtures/configs/gcpckms.hcl";
      const started = Date.now();
      const r = await runCli(["-c", config, "--only", `${c.cloud === "aws" ? "awskms" : "gcpckms"}.*`, "--format", "json", ...BUDGET], { env: scenarioEnv(emu, extra) });
      const wall = Date.now() - started;
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(c.exit);
      const report = JSON.parse(r.stdout);
      // The first call to meet the fault decides; checks behind it are skipped. The round trip must never pass a fault.
      const ids = c.cloud === "aws" ? ["awskms.key-state", "awskms.round-trip"] : ["gcpckms.api-enabled", "gcpckms.key", "gcpckms.round-trip"];
      const involved = ids.map((id) => check(report, id));
      const trip = involved[involved.length - 1]!;
      const decisive = c.status === "pass" ? trip : involved.find((x) => x.status !== "pass" && x.status !== "skip")!;
      expect(decisive?.status).toBe(c.status);
      if (c.status !== "pass") expect(trip.status).not.toBe("pass");
      if (c.cause) expect(involved.flatMap((x) => x.findings).map((f: any) => f.cause)).toContain(c.cause);
      expect(report.durationMs).toBeLessThan(6_000 + MARGIN_MS);
      expect(wall).toBeLessThan(6_000 + MARGIN_MS + 2_000);
      c.calls?.(emu.audit().map((a) => a.operation));
    } finally {
      await emu.close();
    }
  });
});
