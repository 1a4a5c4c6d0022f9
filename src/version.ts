import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The package version, from the package.json above this module: dist/src/ when built, src/ under the tests. */
export function version(): string {
  if (cached) return cached;
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version: string };
      if (pkg.name === "vault-kms-doctor") return (cached = pkg.version);
    } catch {
      // not this level
    }
  }
  throw new Error("vault-kms-doctor: package.json not found next to the program");
}
