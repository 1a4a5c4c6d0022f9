// explainStream on logs: multi-line reassembly, grouping with counts and timestamps, ordering,
// robustness on huge and hostile input, and no secret ever echoed.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { explainStream, explainText, renderExplainJson, renderExplainText } from "../../src/troubleshoot/index.js";

function vaultLog(): string {
  const lines: string[] = [];
  const ts = (s: number): string => `2024-05-01T10:00:${String(s).padStart(2, "0")}.000Z`;
  lines.push(`${ts(0)} [INFO]  proxy environment: http_proxy="" https_proxy="" no_proxy=""`);
  lines.push(`${ts(1)} [INFO]  core: stored unseal keys supported, attempting fetch`);
  // A Go error chain spread over lines, repeated every 5 s by Vault's unseal loop.
  for (let i = 0; i < 4; i++) {
    lines.push(`${ts(2 + i * 5)} [WARN]  failed to unseal core: error="fetching stored unseal keys failed: failed to decrypt encrypted stored keys: error decrypting data encryption key: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    lines.push("\tstatus code: 400, request id: 5f1c0b1e-aaaa-bbbb-cccc-000000000000\"");
  }
  lines.push(`${ts(30)} [INFO]  core: security barrier not initialized`);
  lines.push(`${ts(31)} [ERROR] core: error checking health: error="WebIdentityErr: failed to retrieve credentials`);
  lines.push("caused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789");
  lines.push("\tstatus code: 400, request id: 3714365f\"");
  return lines.join("\n") + "\n";
}

describe("explainStream", () => {
  it("groups repeats with counts, first/last timestamps and orders best first", async () => {
    const report = await explainStream(Readable.from([vaultLog()]));
    expect(report.schemaVersion).toBe(1);
    expect(report.linesRead).toBe(14);
    expect(report.bytesRead).toBe(Buffer.byteLength(vaultLog()));
    expect(report.matches.map((m) => m.cause)).toEqual(["web_identity_failed", "permission_denied", "vault_not_initialized"]);
    const denied = report.matches[1];
    expect(denied).toMatchObject({
      occurrences: 4,
      firstLine: 3,
      firstTimestamp: "2024-05-01T10:00:02.000Z",
      lastTimestamp: "2024-05-01T10:00:17.000Z",
      entities: { roleName: "vault-unseal", action: "kms:Decrypt", region: "us-east-1" },
    });
    expect(denied.sample).toContain("status code: 400");
    const oidc = report.matches[0];
    expect(oidc).toMatchObject({ ruleId: "aws.no_oidc_provider", occurrences: 1, firstLine: 12, entities: { region: "us-east-1" } });
  });

  it("reads chunks split anywhere, including inside a UTF-8 character", async () => {
    const bytes = Buffer.from("é " + vaultLog());
    const chunks = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const report = await explainStream(Readable.from(chunks));
    expect(report.matches.map((m) => [m.cause, m.occurrences])).toEqual([
      ["web_identity_failed", 1],
      ["permission_denied", 4],
      ["vault_not_initialized", 1],
    ]);
  });

  it("reassembles syslog-prefixed Vault API errors (journald)", async () => {
    const log = [
      "Apr 01 14:42:58 vault1 systemd[1]: Started Vault secret store.",
      "Apr 01 14:42:59 vault1 vault[432769]: Error parsing Seal configuration: Error making API request.",
      "Apr 01 14:42:59 vault1 vault[432769]: URL: PUT https://vault-root.example.net:8200/v1/transit/encrypt/autounseal",
      "Apr 01 14:42:59 vault1 vault[432769]: Code: 403. Errors:",
      "Apr 01 14:42:59 vault1 vault[432769]: * permission denied",
    ].join("\n"); // https://github.com/hashicorp/vault/issues/14833
    const report = await explainStream(Readable.from([log]));
    expect(report.matches[0]).toMatchObject({ cause: "permission_denied", ruleId: "transit.permission_denied", firstLine: 2, firstTimestamp: "Apr 01 14:42:59", entities: { transitKey: "autounseal", mountPath: "transit" } });
    expect(report.matches[0].alternatives?.[0].cause).toBe("expired_credentials");
  });

  it("nothing recognised -> matches []", async () => {
    const log = "2024-05-01T10:00:00.000Z [INFO]  core: vault is unsealed\nhello\n";
    const report = await explainStream(Readable.from([log]));
    expect(report.matches).toEqual([]);
    expect(renderExplainText(report, { color: false })).toContain("Run the live checks");
    expect(JSON.parse(renderExplainJson(report))).toEqual({ schemaVersion: 1, linesRead: 2, bytesRead: Buffer.byteLength(log), matches: [] });
  });

  it("a 1 MB single line and a 4 MB line finish and still find the error at either end", async () => {
    const mb = "x".repeat(1024 * 1024);
    const report = await explainStream(Readable.from([`NoCredentialProviders: no valid providers in chain ${mb}\n`]));
    expect(report.matches[0].cause).toBe("no_credentials");
    const big = "ab ".repeat(1400 * 1024);
    const tail = await explainStream(Readable.from([big, "KMSInvalidStateException: arn:aws:kms:us-east-1:111122223333:key/k is pending deletion.\n"]));
    expect(tail.matches[0].cause).toBe("key_pending_deletion");
    expect(tail.matches[0].sample.length).toBeLessThanOrEqual(2000);
  });

  it("adversarial inputs for the regexes do not blow up", () => {
    const hostile = [
      "arn:aws:kms:".repeat(50_000),
      "dial tcp ".repeat(50_000),
      "a".repeat(300_000) + "@",
      "projects/".repeat(40_000),
      `-----BEGIN ${"PRIVATE"} KEY-----`.repeat(20_000),
      "Permission '" + "cloudkms.".repeat(40_000),
      " ".repeat(300_000) + "\n" + "\t".repeat(100_000),
      "AccessDeniedException ".repeat(30_000),
      "URL: PUT " + "/".repeat(200_000),
      '"@timestamp":"'.repeat(30_000),
    ];
    for (const text of hostile) expect(() => explainText(text)).not.toThrow();
  });

  it("never echoes AWS secret keys, session tokens, private keys or client secrets", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const token = "IQoJb3JpZ2luX2VjEHcaCXVzLWVhc3QtMSJHMEUCIQDexampletokenvalue0123456789abcdef";
    const log = [
      `2024-05-01T10:00:00.000Z [ERROR] AWS_SECRET_ACCESS_KEY=${secret} AWS_SESSION_TOKEN=${token} ExpiredTokenException: The security token included in the request is expired`,
      `2024-05-01T10:00:01.000Z [ERROR] credentials file: -----BEGIN RSA ${"PRIVATE"} KEY-----`,
      "MIIEowIBAAKCAQEAsecretsecretsecret",
      "-----END RSA PRIVATE KEY----- could not find default credentials",
      `2024-05-01T10:00:02.000Z [ERROR] client_secret=Sup3r~Secret.Value AADSTS7000215: Invalid client secret provided.`,
    ].join("\n");
    const report = await explainStream(Readable.from([log]));
    expect(report.matches.map((m) => m.cause).sort()).toEqual(["expired_credentials", "invalid_credentials", "no_credentials"]);
    const out = renderExplainJson(report) + renderExplainText(report, { color: false }) + JSON.stringify(explainText(log));
    for (const leaked of [secret, token, "MIIEowIBAAKCAQEAsecretsecretsecret", "Sup3r~Secret.Value"]) expect(out).not.toContain(leaked);
    expect(out).toContain("<redacted>");
  });
});

describe("renderers", () => {
  it("text names cause, entities and the fix commands; JSON has the documented shape", async () => {
    const report = await explainStream(Readable.from([vaultLog()]));
    const text = renderExplainText(report, { color: false });
    expect(text).toContain("3 problem(s) recognised in 14 line(s)");
    expect(text).toContain("[permission_denied]");
    expect(text).toContain("$ aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal");
    expect(text).toContain("4× from line 3, 2024-05-01T10:00:02.000Z → 2024-05-01T10:00:17.000Z");
    expect(text).not.toMatch(/\u001b\[/);
    expect(renderExplainText(report, { color: true })).toMatch(/\u001b\[/);

    const json = JSON.parse(renderExplainJson(report));
    expect(json.schemaVersion).toBe(1);
    expect(Object.keys(json.matches[1]).slice(0, 8)).toEqual(["cause", "provider", "title", "explanation", "entities", "fix", "occurrences", "firstLine"]);
    expect(json.matches[1]).toMatchObject({ cause: "permission_denied", provider: "awskms", occurrences: 4, firstLine: 3 });
  });
});
