import { readFileSync } from "node:fs";

interface PackageJson { name?: string; version: string; homepage?: string }

let cached: PackageJson | undefined;

/** The package.json above this module: dist/src/ or dist/bundle/ when built, src/ under the tests. */
function packageJson(): PackageJson {
  if (cached) return cached;
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as PackageJson;
      if (pkg.name === "vault-kms-doctor") return (cached = pkg);
    } catch {
      // not this level
    }
  }
  throw new Error("vault-kms-doctor: package.json not found next to the program");
}

/** The package version. */
export function version(): string {
  return packageJson().version;
}

/** The project's documentation: package.json "homepage", the page npm links to. */
export function docsUrl(): string {
  return packageJson().homepage ?? "";
}
