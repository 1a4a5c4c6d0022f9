// The PKCS#11 library: the file exists, the dynamic loader can load it (its own dependencies present, the right
// architecture), it exports C_GetFunctionList, C_Initialize succeeds, and C_GetInfo says what it is. OpenBao does
// the same at startup (InitializeClient: pkcs11.New(lib) then Initialize; github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0): C_Initialize failing is "failed to initialize PKCS11";
// a library the loader cannot load makes github:miekg/pkcs11 New() return nil, which InitializeClient does not
// check: OpenBao panics (nil pointer dereference in pkcs11.(*Ctx).Initialize).
// The probe also lists the slots and tokens, and the token's mechanisms, for the token and mechanism checks:
// none of that needs a session or the PIN.
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { defineCheck, type Finding } from "../../src/check.js";
import {
  BINDING_PACKAGE, BINDING_VERSION, PKCS11_DOCS, probeInput, probeTimeout, resolveBinding, runProbe, sh,
} from "../../src/pkcs11/probe.js";

/** Every dependency the loader cannot find (`ldd`), bounded; empty when ldd is absent or says nothing. */
function missingDependencies(lib: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile("ldd", [lib], { timeout: 5_000, maxBuffer: 256 << 10 }, (_err, stdout) => {
      resolve(String(stdout ?? "").split("\n").map((l) => /^\s*(\S+)\s+=>\s+not found/.exec(l)?.[1]).filter((x): x is string => !!x).slice(0, 20));
    });
  });
}

export default defineCheck({
  id: "pkcs11.library",
  title: "PKCS#11 library loads",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config"],
  messages: {
    "loaded": "{lib} loads and initialises: {description} by {manufacturer}, library {libraryVersion}, Cryptoki {cryptokiVersion}.",
    "binding-missing": "The optional package {package} is not installed, so the doctor cannot talk to a PKCS#11 library. Install {package}@{version} (it builds with node-gyp: needs a C++ compiler, make and python3).",
    "binding-unusable": "The package {package} is installed but cannot be loaded ({error}): it was not built (npm --ignore-scripts) or was built for another Node or architecture.",
    "not-found": "{lib} ({where}) does not exist (or the loader cannot find it): the seal cannot start; OpenBao panics with a nil pointer dereference in pkcs11.(*Ctx).Initialize.",
    "not-a-file": "{lib} ({where}) is not a file.",
    "missing-dependency": "{lib} cannot be loaded: the libraries it needs are missing: {dependencies}.",
    "wrong-architecture": "{lib} is built for another architecture ({detail}) than this machine ({arch}).",
    "not-a-library": "{lib} is not a shared library the loader can read ({detail}).",
    "not-pkcs11": "{lib} is a shared library but not a PKCS#11 module: it has no C_GetFunctionList.",
    "load-failed": "{lib} cannot be loaded: {error}",
    "initialize-failed": "C_Initialize of {lib} failed with {error}: the seal stops with \"failed to initialize PKCS11\".",
    "info-failed": "{fn} of {lib} failed with {error}.",
    "timeout": "The library did not answer: {detail}. A network HSM's client library may be waiting for an unreachable HSM.",
    "crashed": "Loading the library crashed the probe process: {detail}.",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const lib = cfg.lib;
    const binding = resolveBinding();
    if (!binding) {
      return { findings: [ctx.report("error", "binding-missing", { package: BINDING_PACKAGE, version: BINDING_VERSION }, {
        fix: {
          summary: `Install the optional PKCS#11 binding ${BINDING_PACKAGE} next to the doctor (Debian/Ubuntu build tools shown).`,
          commands: ["sudo apt-get install -y g++ make python3", `npm install ${BINDING_PACKAGE}@${BINDING_VERSION}   # in the doctor's install directory (or npm install -g ${BINDING_PACKAGE}@${BINDING_VERSION} next to a global install)`],
        },
      })] };
    }
    const where = cfg.libFrom;
    if (lib.includes("/")) {
      let st;
      try {
        st = statSync(lib);
      } catch {
        return { findings: [ctx.report("fail", "not-found", { lib, where }, {
          cause: "seal_config_error",
          fix: { summary: `Install the HSM vendor's PKCS#11 library at ${lib}, or point lib at where it is.`, commands: [`ls -l ${sh(lib)}`, `find / -name ${sh(basename(lib))} -not -path '/proc/*' 2>/dev/null`], docs: PKCS11_DOCS },
        })] };
      }
      if (!st.isFile()) return { findings: [ctx.report("fail", "not-a-file", { lib, where }, { cause: "seal_config_error" })] };
    }
    const run = await runProbe(probeInput("library", binding, cfg), { env: ctx.env, timeoutMs: probeTimeout(ctx), signal: ctx.signal });
    if (!run.ok) return { findings: [ctx.report("error", run.reason === "timeout" ? "timeout" : "crashed", { detail: run.detail }, { cause: run.reason === "timeout" ? "network_unreachable" : undefined })] };
    const result = run.output.library;
    if (!result.ok && result.error?.fn === "require") {
      return { findings: [ctx.report("error", "binding-unusable", { package: BINDING_PACKAGE, error: result.error.message }, {
        fix: { summary: `Build ${BINDING_PACKAGE} for this Node and machine (it was installed without its install script, or for another Node ABI/architecture).`, commands: ["sudo apt-get install -y g++ make python3", `npm rebuild ${BINDING_PACKAGE}`] },
      })] };
    }
    if (!result.ok) return { findings: [failure(ctx, lib, result.step, result.error?.message ?? "unknown error", result.error?.ckr, result.error?.fn, await (result.step === "load" ? missingDependencies(lib) : Promise.resolve([])))] };
    const info = result.info!;
    const findings: Finding[] = [ctx.report("pass", "loaded", { lib, description: info.description, manufacturer: info.manufacturer, libraryVersion: info.libraryVersion, cryptokiVersion: info.cryptokiVersion }, {
      details: { slots: (result.slots ?? []).map((s) => `${s.slot}${s.token ? ` "${s.token.label}"` : s.tokenPresent ? "" : " (no token)"}`) },
    })];
    return { findings, facts: { binding, library: result } };

    function failure(c: typeof ctx, libPath: string, step: string | undefined, message: string, ckr: string | undefined, fn: string | undefined, missing: string[]): Finding {
      if (step === "initialize") {
        const softhsm = /softhsm/i.test(libPath);
        return c.report("fail", "initialize-failed", { lib: libPath, error: ckr ?? message }, {
          cause: "seal_config_error",
          fix: softhsm
            ? { summary: "SoftHSM reads its configuration from SOFTHSM2_CONF (default /etc/softhsm/softhsm2.conf): it must exist, be readable by Vault's user, and name an existing tokendir.", commands: ["ls -l \"${SOFTHSM2_CONF:-/etc/softhsm/softhsm2.conf}\"", "softhsm2-util --show-slots"] }
            : { summary: "The vendor library could not initialise: check its own configuration file and its connection to the HSM (vendor client logs).", commands: [`pkcs11-tool --module ${sh(libPath)} --show-info`] },
        });
      }
      if (step === "info" || step === "slots") return c.report("fail", "info-failed", { fn: fn ?? step, lib: libPath, error: ckr ?? message }, { cause: "kms_internal_error" });
      // dlopen's words (glibc dl-load.c): "<file>: cannot open shared object file", "wrong ELF class", "invalid ELF header",
      // "file too short", "undefined symbol: C_GetFunctionList" (pkcs11js looks the symbol up after dlopen).
      const depMatch = /^([^:]+): cannot open shared object file/.exec(message);
      const dependency = depMatch && basename(depMatch[1]!) !== basename(libPath) ? depMatch[1]! : undefined;
      if (dependency || missing.length > 0) {
        const deps = [...new Set([...(dependency ? [dependency] : []), ...missing])];
        return c.report("fail", "missing-dependency", { lib: libPath, dependencies: deps }, {
          cause: "seal_config_error",
          fix: { summary: "Install the libraries the PKCS#11 module needs (from the HSM vendor's client package, or the distribution), then check again.", commands: [`ldd ${sh(libPath)} | grep 'not found'`, ...deps.map((d) => `apt-file search ${sh(basename(d))}   # which Debian package has it`)] },
        });
      }
      const elfClass = /wrong ELF class: (ELFCLASS\d+)/.exec(message);
      if (elfClass || /machine architecture|cannot be preloaded|ELF load command/.test(message)) {
        return c.report("fail", "wrong-architecture", { lib: libPath, detail: elfClass ? elfClass[1] : message, arch: process.arch }, {
          cause: "seal_config_error",
          fix: { summary: `Install the ${process.arch} build of the vendor's PKCS#11 library.`, commands: [`file -L ${sh(libPath)}`, "uname -m"] },
        });
      }
      if (/invalid ELF header|file too short|not an ELF/.test(message)) return c.report("fail", "not-a-library", { lib: libPath, detail: message.replace(/^[^:]*: /, "") }, { cause: "seal_config_error", fix: { summary: "Point lib at the vendor's .so file, not a script, archive or directory.", commands: [`file -L ${sh(libPath)}`] } });
      if (/undefined symbol: C_GetFunctionList/.test(message)) return c.report("fail", "not-pkcs11", { lib: libPath }, { cause: "seal_config_error" });
      if (/cannot open shared object file/.test(message)) return c.report("fail", "not-found", { lib: libPath, where }, { cause: "seal_config_error" });
      return c.report("fail", "load-failed", { lib: libPath, error: message }, { cause: "seal_config_error" });
    }
  },
});
