// Colour (issue 17, item 9): `--color` colours a pipe, `--no-color` never colours, NO_COLOR and TERM=dumb turn it off,
// FORCE_COLOR turns it on; a flag given for the run beats the environment (https://no-color.org). Driven through
// the real CLI on a pipe (stdout is never a TTY here), plus the precedence table of useColor.
import { describe, expect, it } from "vitest";
import { useColor } from "../../src/color.js";
import { baseEnv, runCli } from "../support/cli.js";

const ANSI = /\u001b\[/;
const args = ["-c", "fixtures/configs/awskms-typos.hcl", "--only", "config.required-keys"];
const env = (extra: Record<string, string | undefined>) => baseEnv({ NO_COLOR: undefined, ...extra });

describe("colour", () => {
  it("--color colours a pipe; without it a pipe stays plain", async () => {
    expect((await runCli([...args, "--color"], { env: env({}) })).stdout).toMatch(ANSI);
    expect((await runCli(args, { env: env({}) })).stdout).not.toMatch(ANSI);
  });

  it("TERM=dumb and NO_COLOR turn colour off, unless --color is given", async () => {
    expect((await runCli(args, { env: env({ TERM: "dumb", FORCE_COLOR: undefined }) })).stdout).not.toMatch(ANSI);
    expect((await runCli(args, { env: env({ NO_COLOR: "1", FORCE_COLOR: "1" }) })).stdout).not.toMatch(ANSI);
    expect((await runCli([...args, "--color"], { env: env({ NO_COLOR: "1", TERM: "dumb" }) })).stdout).toMatch(ANSI);
    expect((await runCli([...args, "--no-color"], { env: env({ FORCE_COLOR: "1" }) })).stdout).not.toMatch(ANSI);
  });

  it("precedence: flag, NO_COLOR, FORCE_COLOR, TERM=dumb, then the TTY", () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    expect(useColor(true, pipe, { NO_COLOR: "1", TERM: "dumb" })).toBe(true);
    expect(useColor(false, tty, { FORCE_COLOR: "1" })).toBe(false);
    expect(useColor(undefined, tty, { NO_COLOR: "1" })).toBe(false);
    expect(useColor(undefined, tty, { NO_COLOR: "" })).toBe(true);
    expect(useColor(undefined, pipe, { FORCE_COLOR: "1", TERM: "dumb" })).toBe(true);
    expect(useColor(undefined, tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(undefined, tty, { TERM: "dumb" })).toBe(false);
    expect(useColor(undefined, tty, { TERM: "xterm-256color" })).toBe(true);
    expect(useColor(undefined, pipe, {})).toBe(false);
  });

  it("--help ends with the project's docs URL", async () => {
    const r = await runCli(["--help"], { env: env({}) });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("Docs: https://github.com/vault-kms-doctor/vault-kms-doctor#readme");
  });
});
