#!/usr/bin/env node
// Entry point. `--version` is answered before anything else loads: a preflight sits on the critical path
// of every Vault pod start, so even argument parsing is loaded only when needed.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import("./main.js");
  process.exitCode = await main(args);
}
