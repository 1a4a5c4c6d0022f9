// How a gcp conformance row compares causes: equal, or the doctor's root cause explains the symptom OpenBao's line
// shows (src/causes/root-causes.ts EXPLAINS). Anything else is a disagreement.
import { describe, expect, it } from "vitest";
import { causesAgree, gcpRowNames, GCP_COVERED } from "./gcp.js";

describe("gcp conformance agreement", () => {
  it("accepts the same cause, or a root cause over the symptom it explains, and nothing else", () => {
    expect(causesAgree("permission_denied", "permission_denied")).toBe(true);
    expect(causesAgree("wrong_region", "key_not_found")).toBe(true);
    expect(causesAgree("key_destroyed", "key_disabled")).toBe(true);
    expect(causesAgree("key_not_found", "wrong_region")).toBe(false);
    expect(causesAgree("key_disabled", "key_wrong_usage_or_spec")).toBe(false);
    expect(causesAgree("permission_denied", undefined)).toBe(false);
    expect(causesAgree(undefined, "key_not_found")).toBe(false);
  });

  it("selects rows by gcp:<scenario> or all of them by gcp", () => {
    expect(gcpRowNames(["gcp:healthy", "healthy", "transit:healthy"])).toEqual(["healthy"]);
    expect(gcpRowNames(["gcp"])).toEqual([...GCP_COVERED]);
    expect(gcpRowNames(["wrong-region"])).toEqual([]);
  });
});
