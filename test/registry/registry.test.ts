// The registry's own rules (after ESLint's rule meta-tests): ids unique, each check in the folder of its id's
// group, every `needs`/`uses` names a check the same run can have, every message code seen by some test.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkIds, groupOf, loadAllChecks } from "../../src/registry.js";
import { sealDescriptors } from "../../src/seals/index.js";
import { ROOT } from "../support/cli.js";

const checks = await loadAllChecks();
const ENGINE_GROUPS = ["config", "vault", "migrate", "storage"];

function testSources(dir = join(ROOT, "test")): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testSources(p));
    else if (/\.(ts|txt|json|xml)$/.test(e.name) && !p.includes(`${join("test", "emulator")}`)) out.push(readFileSync(p, "utf8"));
  }
  return out;
}

describe("check registry", () => {
  it("ids are unique and listed ids are the modules' own ids", () => {
    expect(new Set(checkIds()).size).toBe(checkIds().length);
    expect(checks.map((c) => c.id)).toEqual(checkIds());
  });

  it("every check lives in checks/<group>/, its group being its id prefix", () => {
    for (const c of checks) {
      const group = groupOf(c.id);
      expect(ENGINE_GROUPS.includes(group) || sealDescriptors().some((d) => d.type === group), c.id).toBe(true);
    }
    for (const d of sealDescriptors()) {
      for (const entry of d.checks) {
        expect(typeof entry, `${d.type}: a built-in seal's check is a module under checks/${d.type}/`).toBe("string");
      }
    }
    for (const group of readdirSync(join(ROOT, "checks"))) {
      expect(ENGINE_GROUPS.includes(group) || sealDescriptors().some((d) => d.type === group), `checks/${group}`).toBe(true);
      for (const file of readdirSync(join(ROOT, "checks", group))) {
        expect(checkIds(), `checks/${group}/${file} is not registered`).toContain(`${group}.${file.replace(/\.ts$/, "")}`);
      }
    }
  });

  it("every needs/uses names a check that runs on the same target", () => {
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const c of checks) {
      for (const n of [...(c.needs ?? []), ...(c.uses ?? [])]) {
        const other = byId.get(n);
        expect(other, `${c.id} -> ${n}`).toBeDefined();
        // A seal check may read a seal check of its type; a config-scope check only config-scope checks.
        if (c.scope === "config") expect(other!.scope, `${c.id} -> ${n}`).toBe("config");
        else if (other!.scope === "seal" && !other!.appliesTo.includes("*")) {
          for (const t of c.appliesTo) expect(other!.appliesTo, `${c.id} -> ${n}`).toContain(t === "*" ? other!.appliesTo[0] : t);
        }
      }
    }
  });

  it("selection rules are consistent: advisory checks never block the start, `oldSeal: only` checks are migration checks", () => {
    for (const c of checks) {
      if (c.advisory) expect(c.blocksStart, c.id).not.toBe(true);
      if (c.oldSeal === "only") expect(c.when, c.id).toBe("migration");
      if (c.when === "vault-addr") expect(groupOf(c.id), c.id).toBe("vault");
    }
  });

  it("every message code is asserted by some test", () => {
    const corpus = testSources().join("\n");
    const unseen: string[] = [];
    for (const c of checks) {
      for (const code of Object.keys(c.messages)) {
        if (!new RegExp(`["':\`]${code.replace(/[-]/g, "\\-")}["'\`,\\s)\\]]`).test(corpus)) unseen.push(`${c.id}: ${code}`);
      }
    }
    expect(unseen).toEqual([]);
  });
});
