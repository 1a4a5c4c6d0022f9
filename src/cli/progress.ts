// Progress on stderr while checks run: a rewritten line on a terminal; off a terminal (a CI log, an init
// container), a plain line every few seconds naming what is still being waited for. Silenced by --quiet.
import type { RunRequest } from "../runner.js";

const HEARTBEAT_MS = 5_000;

export interface Progress {
  hooks: Pick<RunRequest, "onStart" | "onProgress">;
  stop(): void;
}

export function progressOnStderr(opts: { quiet: boolean; env: NodeJS.ProcessEnv }): Progress {
  if (opts.quiet) return { hooks: {}, stop: () => {} };
  const tty = Boolean(process.stderr.isTTY) && !opts.env.CI;
  const running = new Map<string, number>();
  let done = 0;
  const started = performance.now();
  const key = (target: string, id: string) => `${target}: ${id}`;
  const timer = tty ? undefined : setInterval(() => {
    if (running.size === 0) return;
    const oldest = [...running].sort((a, b) => a[1] - b[1]).slice(0, 3).map(([k, t]) => `${k} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    process.stderr.write(`vault-kms-doctor: ${((performance.now() - started) / 1000).toFixed(0)} s, ${done} checks done; waiting on ${oldest.join(", ")}\n`);
  }, HEARTBEAT_MS);
  timer?.unref();
  return {
    hooks: {
      onStart: (target, id) => { running.set(key(target, id), performance.now()); },
      onProgress: (target, check) => {
        running.delete(key(target, check.id));
        done++;
        if (tty) process.stderr.write(`\r\x1b[K  checking… ${done} done (${target}: ${check.id})`);
      },
    },
    stop: () => {
      if (timer) clearInterval(timer);
      if (tty) process.stderr.write("\r\x1b[K");
    },
  };
}
