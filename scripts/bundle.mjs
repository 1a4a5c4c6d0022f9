// The published CLI: tsc's output (dist/src, dist/checks) bundled by esbuild into dist/bundle/, a few files instead
// of ~190 modules and ~150 packages. Run after `npm run build` (npm's `prepack` does both).
//
// - Code splitting keeps the lazy loading of the sources: `cli.js` answers --version alone; each check
//   (src/registry.ts imports `../checks/<group>/<name>.js` by pattern, which esbuild expands to dist/checks/*/*.js)
//   and each SDK imported with `await import()` is a chunk loaded only when a run needs it.
// - Not bundled, installed as dependencies: the Google SDK (google-gax reads its .proto/.json files from its own
//   package folder, and src/clients/gcp.ts resolves @grpc/grpc-js through it), Azure's (another seal's, loaded only
//   for it), the pkcs11 binding (a native addon), the HCL parser (loaded with createRequire, src/config/hcl.ts) and
//   esbuild itself (used only when tests run from sources, src/pkcs11/probe.ts).
// - Chunks sit next to the entries: src/pkcs11/probe.ts starts `probe-child.js` from its own folder, and
//   src/version.ts reads ../../package.json, which from dist/bundle/ is the package's own.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

export const EXTERNAL = [
  "@google-cloud/*", "google-gax", "google-auth-library", "@grpc/*", "protobufjs",
  "@azure/*", "pkcs11js", "js-hcl-parser", "esbuild",
];

/**
 * yargs 18 and cliui measure every word of --help with string-width, whose grapheme segmenter and emoji property
 * regex cost ~100 ms on a cold start. Plain printable ASCII is as wide as it is long, so only other text (ANSI colour,
 * wide characters, emoji) goes to the package itself: the version each importer asked for, resolved as it would be.
 */
const asciiFastStringWidth = {
  name: "ascii-fast-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve("string-width", { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: "ascii-fast-string-width" };
    });
    b.onLoad({ filter: /.*/, namespace: "ascii-fast-string-width" }, (args) => ({
      contents: [
        `import stringWidth from ${JSON.stringify(args.path)};`,
        "const PRINTABLE_ASCII = /^[\\x20-\\x7e]*$/;",
        "export default function asciiFastStringWidth(text, options) {",
        "  return typeof text === \"string\" && PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text, options);",
        "}",
      ].join("\n"),
      resolveDir: root,
      pluginData: { real: true },
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "dist/src/cli.js", "probe-child": "dist/src/pkcs11/probe-child.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // ES module builds first (the AWS SDK's dist-es), so esbuild can drop what is not imported.
  mainFields: ["module", "main"],
  entryNames: "[name]",
  chunkNames: "[name]-[hash]",
  external: EXTERNAL,
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __vkdCreateRequire } from "node:module"; const require = __vkdCreateRequire(import.meta.url);' },
  legalComments: "linked",
  metafile: true,
  plugins: [asciiFastStringWidth],
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
// What went where, for size work: npx esbuild --analyze is not needed, the metafile sits next to the bundle.
(await import("node:fs")).writeFileSync(`${root}dist/bundle-meta.json`, JSON.stringify(result.metafile));
process.stderr.write(`bundle: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1e6).toFixed(2)} MB in dist/bundle/\n`);
