// BENCHMARKS.md: the machine, the command to reproduce, the table and what each target means.
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { renderNotes, renderTable, type BenchSection } from "./results.js";

export function describeMachine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? "unknown CPU";
  return `${cpu.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${type()} ${release()}, Node ${process.version}`;
}

/** The 1-minute load average: on a shared machine, other work slows every number here. */
export const loadAverage = () => loadavg()[0]!.toFixed(1);

export function renderBenchmarksMd(sections: BenchSection[], opts: { startedAt: Date; durationMs: number; loadAtStart: string; loadAtEnd: string }): string {
  return `# Benchmarks

Measured by \`npm run bench\` (test/bench/main.ts) on ${opts.startedAt.toISOString().slice(0, 10)}, in ${(opts.durationMs / 1000).toFixed(0)} s.
Numbers are from this one machine and move with its load; the ratios, measured side by side in one run, are what to quote.

- **Machine:** ${describeMachine()}; 1-minute load average ${opts.loadAtStart} at the start, ${opts.loadAtEnd} at the end
  (${cpus().length} cores: a load above that means other work shared the CPUs and slowed every number).
- **Reproduce:** \`npm run bench -- --write\` (add \`--install\` to let it \`apt-get install -y awscli\` for the manual baseline;
  \`--only 1,4\` runs only those sections). Everything runs against the local emulator on 127.0.0.1;
  only section 8 reaches out: npm installs the tarball's dependencies (from its cache when warm, else the npm registry).
- **Method:** every number is a child process timed from spawn to exit; medians of several runs after one warm-up unless a note says
  otherwise. "Met" compares the doctor's number with the target from the issue that asked for these benchmarks.

${renderTable(sections)}
## What each measurement means

${renderNotes(sections)}
`;
}
