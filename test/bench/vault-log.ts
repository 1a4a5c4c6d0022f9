// A generated Vault server log of a given size: hclog lines of everyday INFO/DEBUG/WARN noise with real seal
// errors mixed in (the texts of fixtures/logs/error-samples.jsonl, some multi-line, as Vault prints them).
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { ROOT } from "../support/cli.js";

/** Everyday lines of a Vault server with raft storage, in hclog's format after the timestamp. */
const NOISE = [
  "[INFO]  proxy environment: http_proxy=\"\" https_proxy=\"\" no_proxy=\"\"",
  "[INFO]  core: Initializing version history cache for core",
  "[INFO]  core: raft retry join initiated",
  "[INFO]  storage.raft: initial configuration: index=1 servers=\"[{Suffrage:Voter ID:vault-0 Address:vault-0.vault-internal:8201}]\"",
  "[INFO]  storage.raft: entering follower state: follower=\"Node at vault-0.vault-internal:8201 [Follower]\" leader-address= leader-id=",
  "[INFO]  core: stored unseal keys supported, attempting fetch",
  "[INFO]  core.cluster-listener.tcp: starting listener: listener_address=0.0.0.0:8201",
  "[INFO]  core.cluster-listener: serving cluster requests: cluster_listen_address=[::]:8201",
  "[INFO]  core: vault is unsealed",
  "[INFO]  core: acquired lock, enabling active operation",
  "[INFO]  rollback: starting rollback manager",
  "[INFO]  core: post-unseal setup complete",
  "[INFO]  expiration: lease restore complete",
  "[DEBUG] core: request forwarding setup function",
  "[DEBUG] storage.raft: heartbeat: peer=vault-1 backoff=0s",
  "[INFO]  http: received request: method=GET path=/v1/sys/health",
  "[INFO]  secrets.kv.kv_1a2b3c4d: collecting keys to upgrade",
  "[INFO]  secrets.kv.kv_1a2b3c4d: done collecting keys: num_keys=1",
  "[WARN]  core.raft: skipping new raft TLS config creation, keys are pending",
  "[INFO]  core: usage gauge collection is disabled",
  "[INFO]  storage.raft.snapshot: creating new snapshot: path=/vault/data/raft/snapshots/2-40960-1714644932.tmp",
  "[INFO]  storage.raft: compacting logs: from=12 to=30721",
];

function errorSamples(): string[] {
  const file = `${ROOT}fixtures/logs/error-samples.jsonl`;
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => (JSON.parse(l) as { text: string }).text);
}

export interface GeneratedLog {
  bytes: number;
  lines: number;
  /** How many error records (each possibly several lines) were written. */
  errors: number;
}

/** Writes about `targetBytes` of log to `path`: one error record after every `noisePerError` noise lines. */
export function writeVaultLog(path: string, targetBytes: number, noisePerError = 50): GeneratedLog {
  const samples = errorSamples();
  const fd = openSync(path, "w");
  const start = Date.parse("2024-05-02T10:15:32.000Z");
  let bytes = 0;
  let lines = 0;
  let errors = 0;
  let chunk: string[] = [];
  let chunkChars = 0;
  const flush = () => {
    const buf = Buffer.from(chunk.join(""), "utf8");
    writeSync(fd, buf);
    bytes += buf.length;
    chunk = [];
    chunkChars = 0;
  };
  try {
    for (let i = 0; bytes + chunkChars < targetBytes; i++) {
      const ts = new Date(start + i * 37).toISOString();
      let line: string;
      if (i % (noisePerError + 1) === noisePerError) {
        const text = samples[errors % samples.length]!;
        line = `${ts} [ERROR] core: ${text}\n`;
        errors++;
        lines += text.split("\n").length;
      } else {
        line = `${ts} ${NOISE[i % NOISE.length]!}\n`;
        lines++;
      }
      chunk.push(line);
      chunkChars += line.length;
      if (chunkChars > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { bytes, lines, errors };
}
