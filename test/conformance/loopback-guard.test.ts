// The conformance harness refuses to start when an endpoint it would hand to OpenBao or the doctor is not loopback.
import { describe, expect, it } from "vitest";
import { assertLoopbackOnly, isLoopbackUrl } from "./loopback-guard.js";

describe("conformance loopback guard", () => {
  it("accepts loopback endpoints only", () => {
    expect(isLoopbackUrl("http://127.0.0.1:8200")).toBe(true);
    expect(isLoopbackUrl("http://127.3.4.5")).toBe(true);
    expect(isLoopbackUrl("http://[::1]:9")).toBe(true);
    expect(isLoopbackUrl("http://localhost:1")).toBe(true);
    expect(isLoopbackUrl("http://169.254.169.254")).toBe(false);
    expect(isLoopbackUrl("https://kms.us-east-1.amazonaws.com")).toBe(false);
    expect(isLoopbackUrl("http://127.0.0.1.example.com")).toBe(false);
  });

  it("names every offending variable and endpoint", () => {
    expect(() => assertLoopbackOnly({ AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1", AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://169.254.169.254" }, ["https://kms.us-east-1.amazonaws.com"]))
      .toThrow(/AWS_EC2_METADATA_SERVICE_ENDPOINT=http:\/\/169\.254\.169\.254.*endpoint https:\/\/kms\.us-east-1\.amazonaws\.com/);
    expect(() => assertLoopbackOnly({ AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9" }, ["http://127.0.0.1:4566"])).not.toThrow();
  });
});
