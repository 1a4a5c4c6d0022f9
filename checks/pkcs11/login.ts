// Login as the user with the PIN, as Vault does for every session (OpenBao's GetSession: C_OpenSession then
// C_Login(CKU_USER, pin)). A wrong PIN counts towards the token's lockout, so: the token's flags are read first,
// nothing is tried when the PIN is locked (CKF_USER_PIN_LOCKED) or one wrong try from locking
// (CKF_USER_PIN_FINAL_TRY), and there is exactly one C_Login per run. The same session then finds the key and
// does the round trip (src/pkcs11/probe-child.ts); the key and round-trip checks report those parts.
import { defineCheck, type Finding } from "../../src/check.js";
import { TOKEN_FLAGS, tokenFlagNames } from "../../src/pkcs11/constants.js";
import { PKCS11_DOCS, pinRefusedBefore, probeInput, probeTimeout, rememberRefusedPin, runProbe, sh, type Pkcs11ConfigFacts } from "../../src/pkcs11/probe.js";
import type { Fix } from "../../src/model.js";

function unlockFix(cfg: Pkcs11ConfigFacts, label: string): Fix {
  return {
    summary: "The security officer resets the user PIN (this unlocks it); then give Vault the new PIN in VAULT_HSM_PIN.",
    commands: [`pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(label)} --login --login-type so --so-pin <SO_PIN> --init-pin --new-pin <NEW_USER_PIN>`],
    docs: PKCS11_DOCS,
  };
}

export default defineCheck({
  id: "pkcs11.login",
  title: "PKCS#11 login",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config", "pkcs11.library", "pkcs11.token"],
  messages: {
    "logged-in": "Logged in to \"{label}\" as the user with the PIN from {pinFrom} ({session} session).",
    "pin-count-low": "The token records wrong PIN attempts since the last good login (CKF_USER_PIN_COUNT_LOW): something is trying a wrong PIN.",
    "pin-incorrect": "The PIN from {pinFrom} is wrong (CKR_PIN_INCORRECT); token flags now: {flags}.",
    "pin-locked": "The user PIN of \"{label}\" is locked ({why}): no login is possible until the security officer resets it. Not tried.",
    "final-try": "The next wrong PIN locks \"{label}\" (CKF_USER_PIN_FINAL_TRY): the doctor does not try. Check the PIN by hand once, carefully.",
    "pin-not-initialized": "\"{label}\" has no user PIN: not tried.",
    "refused-before": "The token refused this PIN earlier in this run: not tried again (each wrong PIN brings \"{label}\" closer to locking).",
    "login-failed": "C_Login failed with {error}.",
    "session-failed": "C_OpenSession failed with {error}.",
    "timeout": "The token did not answer: {detail}.",
    "crashed": "The probe process ended without an answer: {detail}.",
    "no-session": "The library answered the second time without the token: {detail}.",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const { binding } = ctx.need("pkcs11.library");
    const token = ctx.need("pkcs11.token");
    const findings: Finding[] = [];
    // Refuse before starting anything: the flags came from C_GetTokenInfo in the library probe.
    if (token.flags & TOKEN_FLAGS.USER_PIN_LOCKED) return { findings: [ctx.report("fail", "pin-locked", { label: token.label, why: "CKF_USER_PIN_LOCKED" }, { cause: "invalid_credentials", fix: unlockFix(cfg, token.label), details: { flags: tokenFlagNames(token.flags) } })] };
    if (token.flags & TOKEN_FLAGS.USER_PIN_FINAL_TRY) {
      return { findings: [ctx.report("fail", "final-try", { label: token.label }, {
        cause: "invalid_credentials", details: { flags: tokenFlagNames(token.flags) },
        fix: { summary: "Verify the PIN with one manual login (a wrong one locks the token); if unsure, have the security officer reset it.", commands: [`pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(token.label)} --login --list-objects`, ...unlockFix(cfg, token.label).commands] },
      })] };
    }
    if (token.flags & TOKEN_FLAGS.USER_PIN_COUNT_LOW) findings.push(ctx.report("warn", "pin-count-low", {}, { details: { flags: tokenFlagNames(token.flags) } }));

    // The gate re-runs failing checks: a PIN refused once in this process is not tried again.
    if (pinRefusedBefore(cfg.lib, token, cfg.pin)) return { findings: [...findings, ctx.report("fail", "refused-before", { label: token.label }, { cause: "invalid_credentials" })] };

    const run = await runProbe(probeInput("session", binding, cfg), { env: ctx.env, timeoutMs: probeTimeout(ctx), signal: ctx.signal });
    if (!run.ok) return { findings: [...findings, ctx.report("error", run.reason === "timeout" ? "timeout" : "crashed", { detail: run.detail })] };
    const s = run.output.session;
    if (!s) return { findings: [...findings, ctx.report("error", "no-session", { detail: run.output.library.error?.message ?? run.output.library.selectError ?? "token not selected" })] };
    if (!s.session?.ok) return { findings: [...findings, ctx.report("fail", "session-failed", { error: s.session?.error?.ckr ?? s.session?.error?.message }, { cause: "kms_internal_error" })] };
    const login = s.login!;
    if (!login.attempted) {
      if (login.refused === "locked") findings.push(ctx.report("fail", "pin-locked", { label: token.label, why: "CKF_USER_PIN_LOCKED" }, { cause: "invalid_credentials", fix: unlockFix(cfg, token.label) }));
      else if (login.refused === "final-try") findings.push(ctx.report("fail", "final-try", { label: token.label }, { cause: "invalid_credentials" }));
      else findings.push(ctx.report("fail", "pin-not-initialized", { label: token.label }, { cause: "seal_config_error" }));
      return { findings };
    }
    if (!login.ok) {
      const ckr = login.error?.ckr;
      if (ckr === "CKR_PIN_INCORRECT" || ckr === "CKR_PIN_LOCKED" || ckr === "CKR_PIN_EXPIRED") rememberRefusedPin(cfg.lib, token, cfg.pin);
      if (ckr === "CKR_PIN_INCORRECT") {
        const after = login.flagsAfter ?? 0;
        findings.push(ctx.report("fail", "pin-incorrect", { pinFrom: cfg.pinFrom, flags: tokenFlagNames(after) }, {
          cause: "invalid_credentials",
          details: { flags_before: tokenFlagNames(login.flagsBefore), flags_after: tokenFlagNames(after) },
          fix: {
            summary: `Set the token's user PIN in ${cfg.pinFrom} (the environment is preferred: VAULT_HSM_PIN). Do not retry blindly: every wrong PIN brings the token closer to locking.`,
            commands: [`pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(token.label)} --login --list-objects   # asks for the PIN once`],
            docs: PKCS11_DOCS,
          },
        }));
      } else if (ckr === "CKR_PIN_LOCKED") {
        findings.push(ctx.report("fail", "pin-locked", { label: token.label, why: "CKR_PIN_LOCKED" }, { cause: "invalid_credentials", fix: unlockFix(cfg, token.label) }));
      } else {
        findings.push(ctx.report("fail", "login-failed", { error: ckr ?? login.error?.message }, { cause: ckr === "CKR_PIN_EXPIRED" || ckr === "CKR_PIN_LEN_RANGE" ? "invalid_credentials" : "kms_internal_error" }));
      }
      return { findings };
    }
    findings.push(ctx.report("pass", "logged-in", { label: token.label, pinFrom: cfg.pinFrom, session: s.session.readWrite ? "read-write" : "read-only" }));
    return { findings, facts: { session: s } };
  },
});
