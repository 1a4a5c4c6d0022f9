// OpenBao's seal-migration docs (openbao v2.6.2 website/content/docs/concepts/seal.mdx) still carry the note "there is a
// current limitation that prevents migrating from AWSKMS to AWSKMS"; nothing in its code refuses it (vault/core.go
// adjustForSealMigration treats a same-type auto -> auto migration like any other). A real OpenBao 2.6.2 decides:
// initialised on the old key, restarted with the migration layout the doctor passes (old awskms disabled, new awskms
// enabled, both against the emulator), unsealed with -migrate and the recovery key; the stored root key is then wrapped
// by the new key (storage.wrapping-key), and the server restarts on the new key alone. The docs' note is outdated for 2.6.2.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, runBao, serverEnv, startServer, waitFor } from "../conformance/openbao.js";
import { startEmulator } from "../emulator/index.js";
import { peerBinary } from "../support/peers.js";
import { codesOf, runCli } from "../support/cli.js";
import { OLD_KEY_ID, twoKeyScenario } from "./two-key-scenario.js";

describe("OpenBao 2.6.2: awskms -> awskms seal migration", () => {
  it("the doctor passes the layout, and OpenBao migrates to the new key", async () => {
    const bao = peerBinary("bao");
    const emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: true }));
    const dir = mkdtempSync(join(tmpdir(), "vkd-bao-migrate-"));
    mkdirSync(join(dir, "data"));
    const env = serverEnv(emu, dir);
    const [api, cluster] = [await freePort(), await freePort()];
    const seal = (alias: string, disabled = false) => `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "${alias}"\n  endpoint = "${emu.awsEndpoint}"\n${disabled ? '  disabled = "true"\n' : ""}}\n`;
    const write = (name: string, seals: string) => {
      const file = join(dir, name);
      writeFileSync(file, `storage "raft" {\n  path = "${join(dir, "data")}"\n  node_id = "n1"\n}\nlistener "tcp" {\n  address = "127.0.0.1:${api}"\n  cluster_address = "127.0.0.1:${cluster}"\n  tls_disable = true\n}\napi_addr = "http://127.0.0.1:${api}"\ncluster_addr = "https://127.0.0.1:${cluster}"\n${seals}`);
      return file;
    };
    const before = write("before.hcl", seal("alias/vault-unseal-old"));
    const during = write("during.hcl", seal("alias/vault-unseal-old", true) + seal("alias/vault-unseal"));
    const after = write("after.hcl", seal("alias/vault-unseal"));
    try {
      let server = startServer(bao, before, api, env);
      let recoveryKey = "";
      try {
        expect((await waitFor(server, 30_000, () => true)).status, server.log()).toBeDefined();
        const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...env, BAO_ADDR: server.addr }, 60_000);
        expect(init.code, init.stderr).toBe(0);
        recoveryKey = JSON.parse(init.stdout).recovery_keys_b64[0];
        expect((await waitFor(server, 30_000, (s) => s.initialized && !s.sealed)).status).toMatchObject({ sealed: false });
      } finally {
        await server.stop();
      }

      const doctor = await runCli(["migrate", "-c", during, "--target", "openbao@2.6", "--format", "json"], { env });
      const out = JSON.parse(doctor.stdout);
      expect(codesOf(out.report)["config/migrate.layout"]).toEqual(["layout"]);
      expect(out.migration).toMatchObject({ direction: "auto-to-auto", from: "awskms", to: "awskms" });
      expect(doctor.code, doctor.stdout.slice(0, 3000)).toBe(0);

      server = startServer(bao, during, api, env);
      try {
        // Sealed, waiting for -migrate. (Its seal-status says migration: false until then: seen here, 2.6.2.)
        expect((await waitFor(server, 30_000, (s) => s.sealed && server.log().includes("entering seal migration mode"))).status, server.log()).toMatchObject({ sealed: true });
        expect(server.log()).toContain("from_barrier_type=awskms to_barrier_type=awskms");
        const unseal = await runBao(bao, ["operator", "unseal", "-migrate", "-format=json", recoveryKey], { ...env, BAO_ADDR: server.addr }, 60_000);
        expect(unseal.code, unseal.stderr).toBe(0);
        expect((await waitFor(server, 30_000, (s) => !s.sealed && !(s as { migration?: boolean }).migration)).status, server.log()).toMatchObject({ sealed: false, migration: false, type: "awskms" });
      } finally {
        await server.stop();
      }

      // The stored root key is now wrapped by the new key (storage.wrapping-key reads the raft file read-only).
      const stored = await runCli(["check", "-c", after, "--target", "openbao@2.6", "--format", "json"], { env });
      const finding = JSON.parse(stored.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.wrapping-key").findings[0];
      expect(finding, stored.stdout.slice(0, 2000)).toMatchObject({ code: "same-key" });
      expect(String(finding.args.stored)).not.toContain(OLD_KEY_ID);

      server = startServer(bao, after, api, env);
      try {
        expect((await waitFor(server, 30_000, (s) => s.initialized && !s.sealed)).status, server.log()).toMatchObject({ sealed: false, type: "awskms" });
      } finally {
        await server.stop();
      }
    } finally {
      await emu.close();
    }
  }, 180_000);
});
