#!/usr/bin/env node
// Entry point. `--version` is answered before anything else loads: a preflight sits on the critical path
// of every Vault pod start, so even argument parsing is loaded only when needed.
import { readFileSync } from "node:fs";
import module from "node:module";

const args = process.argv.slice(2);
// A reader that stops early (`list-checks | head -c 10`) closes the pipe: stop writing, print no stack trace, and
// keep the command's own exit code (a gate's verdict must not turn into 0 because nobody read its report).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
    if (stream !== process.stderr) process.stderr.write(`vault-kms-doctor: cannot write the report: ${err.code ?? err.message}\n`);
    process.exit(2);
  });
}
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Node 22.1+ keeps the compiled code of the modules on disk (os.tmpdir()/node-compile-cache, keyed by each
  // module's content), so later starts skip most of the parse-and-compile; where the folder is not writable (a
  // read-only root filesystem) it reports a failure status and nothing changes. NODE_DISABLE_COMPILE_CACHE=1 opts out.
  module.enableCompileCache?.();
  const { main } = await import("./main.js");
  process.exitCode = await main(args);
}
