// `node --import` preload for the bench: records every module the process loads into $VKD_BENCH_MODULE_LOG,
// one URL a line. ES modules come from a load hook (it runs on the hooks thread, so it appends to the file
// itself); CommonJS modules required by other CommonJS modules never reach that hook, so the require cache is
// added at exit. Nothing in src/ knows about it.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const logFile = process.env.VKD_BENCH_MODULE_LOG;
if (logFile) {
  register("./module-log-hooks.mjs", import.meta.url, { data: { logFile } });
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => appendFileSync(logFile, Object.keys(cache).map((p) => `${pathToFileURL(p).href}\n`).join("")));
}
