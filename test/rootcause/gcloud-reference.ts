// The gcloud command paths and flags the doctor emits, each with its reference page. gcloud cannot be installed
// here, so emitted gcloud commands are checked against this table: a new command path or flag must be added here,
// with the page that documents it, before a fix may use it.
export interface GcloudCommand { flags: readonly string[]; url: string; positional: number }

const ref = (path: string) => `https://cloud.google.com/sdk/gcloud/reference/${path.split(" ").join("/")}`;
const KMS_KEY = ["--keyring", "--location", "--project"];
const GLOBAL = ["--project", "--format", "--quiet"];

export const GCLOUD_COMMANDS: Record<string, GcloudCommand> = {
  "kms keys add-iam-policy-binding": { positional: 1, flags: [...KMS_KEY, "--member", "--role", "--condition"], url: ref("kms keys add-iam-policy-binding") },
  "kms keys describe": { positional: 1, flags: KMS_KEY, url: ref("kms keys describe") },
  "kms keys list": { positional: 0, flags: KMS_KEY, url: ref("kms keys list") },
  "kms keys create": { positional: 1, flags: [...KMS_KEY, "--purpose", "--rotation-period", "--next-rotation-time", "--protection-level", "--default-algorithm"], url: ref("kms keys create") },
  "kms keys update": { positional: 1, flags: [...KMS_KEY, "--rotation-period", "--next-rotation-time", "--remove-rotation-schedule", "--primary-version"], url: ref("kms keys update") },
  "kms keys versions enable": { positional: 1, flags: ["--key", ...KMS_KEY], url: ref("kms keys versions enable") },
  "kms keys versions restore": { positional: 1, flags: ["--key", ...KMS_KEY], url: ref("kms keys versions restore") },
  "kms keys versions create": { positional: 0, flags: ["--key", ...KMS_KEY, "--primary"], url: ref("kms keys versions create") },
  "kms keys versions list": { positional: 0, flags: ["--key", ...KMS_KEY], url: ref("kms keys versions list") },
  "kms keys get-iam-policy": { positional: 1, flags: KMS_KEY, url: ref("kms keys get-iam-policy") },
  "kms keyrings list": { positional: 0, flags: ["--location", "--project"], url: ref("kms keyrings list") },
  "kms keyrings describe": { positional: 1, flags: ["--location", "--project"], url: ref("kms keyrings describe") },
  "kms keyrings add-iam-policy-binding": { positional: 1, flags: ["--location", "--project", "--member", "--role"], url: ref("kms keyrings add-iam-policy-binding") },
  "kms locations list": { positional: 0, flags: ["--project"], url: ref("kms locations list") },
  "services enable": { positional: 1, flags: ["--project"], url: ref("services enable") },
  "services list": { positional: 0, flags: ["--project", "--enabled", "--filter"], url: ref("services list") },
  "projects list": { positional: 0, flags: ["--filter"], url: ref("projects list") },
  "projects describe": { positional: 1, flags: [], url: ref("projects describe") },
  "projects add-iam-policy-binding": { positional: 1, flags: ["--member", "--role", "--condition"], url: ref("projects add-iam-policy-binding") },
  "projects get-iam-policy": { positional: 1, flags: ["--flatten", "--filter"], url: ref("projects get-iam-policy") },
  "iam service-accounts add-iam-policy-binding": { positional: 1, flags: ["--member", "--role", "--project"], url: ref("iam service-accounts add-iam-policy-binding") },
  "iam service-accounts keys create": { positional: 1, flags: ["--iam-account", "--project"], url: ref("iam service-accounts keys create") },
  "iam service-accounts describe": { positional: 1, flags: ["--project"], url: ref("iam service-accounts describe") },
  "container node-pools create": { positional: 1, flags: ["--cluster", "--location", "--zone", "--region", "--project", "--scopes", "--service-account", "--workload-metadata"], url: ref("container node-pools create") },
  "container clusters update": { positional: 1, flags: ["--location", "--zone", "--region", "--project", "--workload-pool"], url: ref("container clusters update") },
  "compute instances stop": { positional: 1, flags: ["--zone", "--project"], url: ref("compute instances stop") },
  "compute instances start": { positional: 1, flags: ["--zone", "--project"], url: ref("compute instances start") },
  "compute instances set-service-account": { positional: 1, flags: ["--zone", "--project", "--service-account", "--scopes"], url: ref("compute instances set-service-account") },
  "compute instances describe": { positional: 1, flags: ["--zone", "--project"], url: ref("compute instances describe") },
  "auth application-default login": { positional: 0, flags: [], url: ref("auth application-default login") },
  "auth list": { positional: 0, flags: [], url: ref("auth list") },
  "auth application-default print-access-token": { positional: 0, flags: [], url: ref("auth application-default print-access-token") },
  "iam service-accounts keys list": { positional: 0, flags: ["--iam-account", "--project", "--managed-by"], url: ref("iam service-accounts keys list") },
  "alpha services quota list": { positional: 0, flags: ["--service", "--consumer"], url: ref("alpha services quota list") },
  "auth print-access-token": { positional: 0, flags: [], url: ref("auth print-access-token") },
};

/** Problems with one emitted gcloud command (words without the leading "gcloud"); empty when it matches the table. */
export function gcloudProblems(args: string[]): string[] {
  const path = Object.keys(GCLOUD_COMMANDS).filter((p) => p.split(" ").every((w, i) => args[i] === w)).sort((a, b) => b.length - a.length)[0];
  if (!path) return [`unknown command path: gcloud ${args.slice(0, 4).join(" ")}`];
  const spec = GCLOUD_COMMANDS[path]!;
  const rest = args.slice(path.split(" ").length);
  const problems: string[] = [];
  let positional = 0;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w.startsWith("--")) {
      const name = w.split("=")[0]!;
      if (![...spec.flags, ...GLOBAL].includes(name)) problems.push(`gcloud ${path}: unknown flag ${name} (${spec.url})`);
      const boolean = name === "--primary" || name === "--quiet" || name === "--enabled" || name === "--remove-rotation-schedule";
      if (!w.includes("=") && !boolean) i++;
    } else positional++;
  }
  if (positional !== spec.positional) problems.push(`gcloud ${path}: ${positional} positional arguments, expected ${spec.positional} (${spec.url})`);
  return problems;
}
