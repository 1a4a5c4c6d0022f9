// `vault-kms-doctor policy`: lint IAM and key policy files offline, before the first failing restart.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "../cli/command.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../exit-codes.js";
import { parseKeyValues } from "../key-values.js";
import { redactText } from "../redact.js";
import { useColor } from "../color.js";
import { outputPath, singleOutputOption, writeDocument } from "../cli/single-output.js";
import type { NamedPolicy } from "../iam/types.js";
import { analyseKmsPolicies } from "../policy/analyse.js";
import { IDENTITY_POLICY_FILE, KEY_POLICY_FILE } from "../policy/fix-commands.js";
import { PolicyFileError, readPolicyFile } from "../policy/policy-file.js";
import { renderPolicyJson, renderPolicyText, vaultAllowed, type PolicyReportHeader } from "../policy/render-policy-report.js";
import { keyArnProblem, roleArnProblem } from "../policy/target-arns.js";
import type { PolicyAnalysis } from "../policy/types.js";

function readPolicy(flag: string, file: string): NamedPolicy {
  try {
    return readPolicyFile(file);
  } catch (err) {
    if (err instanceof PolicyFileError) throw new UsageError(`--${flag} ${err.message}`);
    throw err;
  }
}

function requiredArn(argv: Record<string, any>, flag: string, problem: (v: string) => string | undefined): string {
  const value = typeof argv[flag] === "string" ? argv[flag].trim() : "";
  if (value === "") throw new UsageError(`--${flag} is required`);
  const bad = problem(value);
  if (bad) throw new UsageError(`--${flag}: ${bad}`);
  return value;
}

/** Policy ids name statements in findings: two files with the same base name would be indistinguishable. */
function uniqueIds(policies: NamedPolicy[]): NamedPolicy[] {
  const seen = new Map<string, number>();
  return policies.map((p) => {
    const n = (seen.get(p.id) ?? 0) + 1;
    seen.set(p.id, n);
    return n === 1 ? p : { ...p, id: `${p.id}-${n}` };
  });
}

function writeCorrected(dir: string, analysis: PolicyAnalysis): string[] {
  const files: [string, unknown][] = [[IDENTITY_POLICY_FILE, analysis.correctedIdentityPolicy]];
  if (analysis.correctedKeyPolicy) files.push([KEY_POLICY_FILE, analysis.correctedKeyPolicy]);
  try {
    mkdirSync(dir, { recursive: true });
    return files.map(([name, doc]) => {
      const path = join(dir, name);
      writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
      return path;
    });
  } catch (err) {
    throw new UsageError(`--write-corrected ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export const policyCommand: CommandModule = {
  command: "policy",
  describe: "Lint IAM and key policy files offline: may Vault's awskms seal DescribeKey, Encrypt and Decrypt the key?",
  builder: (y) =>
    singleOutputOption(y)
      .option("identity-policy", { alias: "i", type: "string", array: true, describe: "The role's identity policy: JSON file, or `aws iam get-role-policy` output (repeatable)" })
      .option("key-policy", { alias: "k", type: "string", describe: "The key policy: JSON file, or `aws kms get-key-policy` output (default: the KMS default key policy is assumed)" })
      .option("role-arn", { type: "string", describe: "The IAM role Vault runs as (arn:aws:iam::<account>:role/<name>)" })
      .option("key-arn", { type: "string", describe: "The key ARN kms_key_id resolves to (arn:aws:kms:<region>:<account>:key/<id>)" })
      .option("kms-context", { type: "string", array: true, describe: "The kms_context a guide told you to set (k=v): shown on the side, Vault never sends it" })
      .option("format", { alias: "f", choices: ["text", "json"] as const, default: "text", describe: "Output format" })
      .option("write-corrected", { type: "string", describe: `Write the corrected documents to DIR (${IDENTITY_POLICY_FILE}, ${KEY_POLICY_FILE})` })
      .option("color", { type: "boolean", describe: "Colour output (--no-color to disable; NO_COLOR and FORCE_COLOR are honoured)" })
      .example("$0 policy -i role-policy.json -k key-policy.json --role-arn $ROLE_ARN --key-arn $KEY_ARN", "Lint the role's policy and the key policy")
      .example("$0 policy -i role-policy.json -k key-policy.json --role-arn $ROLE_ARN --key-arn $KEY_ARN --kms-context App=vault-prod", "Show why a guide's kms_context condition locks Vault out")
      .example("$0 policy -i role-policy.json -k key-policy.json --role-arn $ROLE_ARN --key-arn $KEY_ARN --format json --write-corrected fixed/", "CI: JSON verdict, corrected documents written to fixed/")
      .epilogue(
        [
          "What AWS has now can be passed as the CLI prints it:",
          "  aws iam get-role-policy --role-name vault-unseal --policy-name NAME > role-policy.json",
          "  aws kms get-key-policy --key-id $KEY_ARN --policy-name default > key-policy.json",
          "Exit codes: 0 Vault's three actions are allowed, 1 an action Vault needs is denied, 2 usage error or unreadable policy file.",
        ].join("\n"),
      ),
  async run(argv) {
    const path = outputPath(argv);
    const roleArn = requiredArn(argv, "role-arn", roleArnProblem);
    const keyArn = requiredArn(argv, "key-arn", keyArnProblem);
    const identityFiles = ((argv["identity-policy"] as string[] | undefined) ?? []).filter((f) => f !== "");
    const keyFile = typeof argv["key-policy"] === "string" && argv["key-policy"] !== "" ? (argv["key-policy"] as string) : undefined;
    if (identityFiles.length === 0 && !keyFile) throw new UsageError("nothing to lint: pass --identity-policy FILE (repeatable) and/or --key-policy FILE");
    const kmsContext = parseKeyValues("kms-context", argv["kms-context"]);
    const identityPolicies = uniqueIds(identityFiles.map((f) => readPolicy("identity-policy", f)));
    const keyPolicy = keyFile ? readPolicy("key-policy", keyFile) : undefined;

    const analysis = analyseKmsPolicies({ identityPolicies, keyPolicy, roleArn, keyArn, kmsContext });
    const header: PolicyReportHeader = { roleArn, keyArn, identityPolicies: identityPolicies.map((p) => p.id), keyPolicy: keyPolicy?.id, kmsContext };
    if (typeof argv["write-corrected"] === "string" && argv["write-corrected"] !== "") {
      for (const path of writeCorrected(argv["write-corrected"], analysis)) process.stderr.write(`wrote ${path}\n`);
    }
    const text = argv.format === "json"
      ? renderPolicyJson(analysis, header)
      : renderPolicyText(analysis, header, { color: path === undefined && useColor(argv.color as boolean | undefined, process.stdout, process.env) });
    writeDocument(redactText(text), path);
    return vaultAllowed(analysis) ? EXIT_OK : EXIT_FINDINGS;
  },
};
