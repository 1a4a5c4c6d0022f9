// The token Vault will use: by slot (it wins when set) or by token_label, the first present token with that
// label (OpenBao's GetSlotForLabel: C_GetSlotList(true), then C_GetTokenInfo(slot).Label == token_label).
// When it is not there, what is there. Then: initialised, with a user PIN.
import { defineCheck, type Finding } from "../../src/check.js";
import { TOKEN_FLAGS, tokenFlagNames } from "../../src/pkcs11/constants.js";
import { PKCS11_DOCS, sh } from "../../src/pkcs11/probe.js";

export default defineCheck({
  id: "pkcs11.token",
  title: "PKCS#11 token",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config", "pkcs11.library"],
  messages: {
    "found": "Token \"{label}\" ({model}, serial {serial}) is in slot {slot}, found by {by}.",
    "token-not-found": "No present token is labelled \"{tokenLabel}\": the seal stops with \"failed to find token with label: {tokenLabel}\". Tokens present: {available}.",
    "slot-not-found": "There is no slot {slot}: opening a session fails with CKR_SLOT_ID_INVALID. Slots: {available}.",
    "token-not-present": "Slot {slot} has no token in it: opening a session fails with CKR_TOKEN_NOT_PRESENT.",
    "no-tokens": "The library shows no token at all.",
    "token-not-initialized": "Token in slot {slot} is not initialised (no CKF_TOKEN_INITIALIZED).",
    "user-pin-not-initialized": "Token \"{label}\" has no user PIN yet (no CKF_USER_PIN_INITIALIZED): login as user fails with CKR_USER_PIN_NOT_INITIALIZED.",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const { library } = ctx.need("pkcs11.library");
    const slots = library.slots ?? [];
    const present = slots.filter((s) => s.token);
    const available = present.length ? present.map((s) => `"${s.token!.label}" (slot ${s.slot})`) : ["none"];
    const listCmd = `pkcs11-tool --module ${sh(cfg.lib)} --list-token-slots`;
    if (!library.selected) {
      if (library.selectError === "token-not-found") {
        const labelled = present.filter((s) => s.token!.label !== "");
        const commands = labelled.length === 1
          ? [`# in ${cfg.selectorFrom}:\ntoken_label = "${labelled[0]!.token!.label}"`, listCmd]
          : [listCmd];
        if (/softhsm/i.test(cfg.lib)) commands.push(`softhsm2-util --init-token --free --label ${sh(cfg.tokenLabel ?? "")} --so-pin <SO_PIN> --pin <USER_PIN>   # only for a NEW SoftHSM token`);
        return { findings: [ctx.report("fail", present.length ? "token-not-found" : "no-tokens", { tokenLabel: cfg.tokenLabel, available }, {
          cause: "seal_config_error",
          fix: { summary: labelled.length === 1 ? `Set token_label to "${labelled[0]!.token!.label}", the one token present, or create/attach the token "${cfg.tokenLabel}".` : `Set token_label to one of the tokens present, or create/attach the token "${cfg.tokenLabel}".`, commands, docs: PKCS11_DOCS },
        })] };
      }
      if (library.selectError === "slot-not-found") {
        return { findings: [ctx.report("fail", "slot-not-found", { slot: cfg.slot, available: slots.map((s) => s.slot) }, {
          cause: "seal_config_error",
          fix: { summary: "Set slot to an existing slot id (decimal), or use token_label instead: SoftHSM and many HSMs renumber slots.", commands: [listCmd, ...(present[0] ? [`# in ${cfg.selectorFrom}: replace slot with\ntoken_label = "${present[0].token!.label}"`] : [])] },
        })] };
      }
      return { findings: [ctx.report("fail", library.selectError === "token-not-present" ? "token-not-present" : "no-tokens", { slot: cfg.slot }, { cause: "seal_config_error", fix: { summary: "Connect or initialise the token, or select another slot.", commands: [listCmd] } })] };
    }
    const slot = slots.find((s) => s.slot === library.selected!.slot)!;
    const token = slot.token!;
    const findings: Finding[] = [];
    const details = { slot: slot.slot, label: token.label, manufacturer: token.manufacturer, model: token.model, serial: token.serial, flags: tokenFlagNames(token.flags) };
    if (!(token.flags & TOKEN_FLAGS.TOKEN_INITIALIZED)) {
      findings.push(ctx.report("fail", "token-not-initialized", { slot: slot.slot }, { cause: "seal_config_error", details }));
      return { findings };
    }
    if (!(token.flags & TOKEN_FLAGS.USER_PIN_INITIALIZED)) {
      findings.push(ctx.report("fail", "user-pin-not-initialized", { label: token.label }, {
        cause: "seal_config_error", details,
        fix: { summary: "The security officer sets the user PIN once.", commands: [`pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(token.label)} --login --login-type so --so-pin <SO_PIN> --init-pin --new-pin <USER_PIN>`] },
      }));
      return { findings };
    }
    findings.push(ctx.report("pass", "found", { label: token.label, model: token.model, serial: token.serial, slot: slot.slot, by: library.selected.by === "slot" ? "slot" : "token_label" }, { details }));
    return { findings, facts: { slot: slot.slot, label: token.label, serial: token.serial, flags: token.flags } };
  },
});
