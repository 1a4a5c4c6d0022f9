// `node --import` preload for the bench when /usr/bin/time is missing: writes this process's peak RSS (KiB,
// process.resourceUsage().maxRSS) to $VKD_BENCH_RSS_FILE at exit.
import { writeFileSync } from "node:fs";

const file = process.env.VKD_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
