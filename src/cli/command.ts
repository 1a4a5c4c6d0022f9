// The command contract: what every subcommand module exports and src/main.ts dispatches.
import type { Argv } from "yargs";

export interface CommandModule {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv<any>;
  /** Returns the exit code (src/exit-codes.ts). */
  run: (argv: Record<string, any>) => Promise<number>;
}
