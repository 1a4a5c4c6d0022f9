// Which Google identity Vault's gcpckms seal will run as, and whether it can get a token: a credentials
// file (GOOGLE_CREDENTIALS / `credentials` / GOOGLE_APPLICATION_CREDENTIALS) that exists, parses and has a
// known type; gcloud's ADC file; or the GCE/GKE metadata server, whose token carries only the VM's OAuth
// scopes (without cloud-platform or cloudkms every KMS call is refused, whatever IAM says). The token is
// fetched through google-auth-library, via the client factory. Private keys are registered as secrets.
import { defineCheck, type CheckContext, type Finding } from "../../src/check.js";
import { chooseCredentials, inspectKeyFile, isComputeDefaultAccount, KMS_SCOPES, readMetadataIdentity, type CredentialsFileChoice } from "../../src/gcp/adc.js";
import { GCPCKMS_DOCS, openKms, viewGcpError, errorText, type GcpConfigFacts, type GcpCredentialFacts } from "../../src/gcp/session.js";

export default defineCheck({
  id: "gcpckms.credentials",
  title: "Application Default Credentials",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["gcpckms"],
  needs: ["gcpckms.config"],
  messages: {
    "file": "Vault will use the {type} credentials in {path} (from {from}){email}; a token was issued.",
    "file-missing": "The credentials file {path} (from {from}) does not exist: Vault fails with \"failed to create KMS client: ... no such file or directory\".",
    "file-unreadable": "The credentials file {path} (from {from}) cannot be read: {error}.",
    "json-content": "The credentials value from {from} holds JSON, not a path: Vault hands it to option.WithCredentialsFile as a file name and fails to open it.",
    "not-json": "The credentials file {path} (from {from}) is not JSON: {error}.",
    "unknown-type": "The credentials file {path} (from {from}) has type \"{type}\"; expected service_account, external_account or authorized_user.",
    "token-failed": "{label} did not produce an access token: {error}",
    "metadata": "Vault will use the metadata server's service account {email} with scopes {scopes}; a token was issued.",
    "metadata-unreachable": "No credentials file or gcloud ADC file, and the metadata server at {host} does not answer ({error}): Vault fails with \"could not find default credentials\".",
    "metadata-scopes": "The metadata server's token for {email} carries only the scopes {scopes}: neither cloud-platform nor cloudkms, so Cloud KMS refuses every call with \"Request had insufficient authentication scopes\", whatever IAM grants.",
    "workload-identity": "GKE Workload Identity: the pod runs as the Google service account {email} (cluster {cluster}).",
    "node-default-account": "Vault runs as the Compute Engine default service account {email}{cluster}: every workload on the node shares this identity. Prefer a dedicated service account (GKE: Workload Identity).",
    "none": "No Google credentials: {reason}. Vault fails with \"google: could not find default credentials\".",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const cfg = ctx.need("gcpckms.config");
    const choice = chooseCredentials(seal, ctx.env);
    const findings: Finding[] = [];

    if (choice.kind === "none") {
      return { findings: [ctx.report("fail", "none", { reason: choice.reason }, {
        cause: "no_credentials",
        fix: {
          summary: "Give Vault a Google identity: a service-account key file (credentials = \"/path/key.json\" or GOOGLE_APPLICATION_CREDENTIALS), or run on GCE/GKE with a dedicated service account (Workload Identity).",
          commands: [`gcloud iam service-accounts keys create vault-unseal-key.json --iam-account vault-unseal@${cfg.project}.iam.gserviceaccount.com`],
          docs: `${GCPCKMS_DOCS}#authentication`,
        },
      })] };
    }

    let facts: GcpCredentialFacts;
    if (choice.kind === "file") {
      const problem = fileProblem(ctx, choice);
      if (problem) return { findings: [problem] };
      const info = inspectKeyFile(choice.path);
      facts = {
        source: choice.via === "gcloud-adc" ? "gcloud-adc" : "credentials-file",
        label: `the credentials file ${choice.path}`,
        // ADC's well-known file is found by the auth library itself; only the wrapper's credsPath is passed.
        credentialsFile: choice.via === "credentials" ? choice.path : undefined,
        email: info.clientEmail,
        member: info.clientEmail ? `${info.type === "authorized_user" ? "user" : "serviceAccount"}:${info.clientEmail}` : undefined,
        accountType: info.type,
      };
    } else {
      const identity = await readMetadataIdentity(choice.host, ctx.options.callTimeoutMs);
      if (!identity.email) {
        return { findings: [ctx.report("fail", "metadata-unreachable", { host: choice.host, error: identity.error ?? "no answer" }, {
          cause: "metadata_unreachable",
          fix: { summary: "Provide a credentials file, or run where the metadata server answers.", commands: [`curl -s -H 'Metadata-Flavor: Google' http://${choice.host}/computeMetadata/v1/instance/service-accounts/default/email`] },
        })] };
      }
      const email = identity.email;
      const scopes = identity.scopes ?? [];
      const cluster = identity.clusterName;
      if (!scopes.some((s) => KMS_SCOPES.includes(s))) {
        const zone = identity.zone ?? "<ZONE>";
        return { findings: [ctx.report("fail", "metadata-scopes", { email, scopes: scopes.map((s) => s.replace("https://www.googleapis.com/auth/", "")).join(", ") || "(none)" }, {
          cause: "insufficient_scopes",
          details: { email, scopes },
          fix: cluster
            ? {
              summary: `Create a node pool with the cloud-platform scope (or enable Workload Identity for Vault's pods), then move Vault onto it.`,
              commands: [`gcloud container node-pools create vault-pool --cluster ${cluster} --location ${identity.clusterLocation ?? "<LOCATION>"} --project ${cfg.project} --scopes cloud-platform --service-account ${email}`],
            }
            : {
              summary: "Give the VM the cloud-platform scope (the instance must be stopped to change scopes); IAM then decides what the account may do.",
              commands: [
                `gcloud compute instances stop ${identity.instanceName ?? "<INSTANCE>"} --zone ${zone} --project ${cfg.project}`,
                `gcloud compute instances set-service-account ${identity.instanceName ?? "<INSTANCE>"} --zone ${zone} --project ${cfg.project} --service-account ${email} --scopes cloud-platform`,
                `gcloud compute instances start ${identity.instanceName ?? "<INSTANCE>"} --zone ${zone} --project ${cfg.project}`,
              ],
            },
        })] };
      }
      facts = { source: "metadata", label: `the metadata server's service account ${email}`, email, member: `serviceAccount:${email}` };
      findings.push(ctx.report("pass", "metadata", { email, scopes: scopes.map((s) => s.replace("https://www.googleapis.com/auth/", "")).join(", ") }, { details: { email, scopes, zone: identity.zone ?? null } }));
      if (isComputeDefaultAccount(email)) {
        findings.push(ctx.report("warn", "node-default-account", { email, cluster: cluster ? ` (node of GKE cluster ${cluster}: Workload Identity is not in use for this pod)` : "" }, {
          fix: {
            summary: "Run Vault as a dedicated service account that holds only the key's roles.",
            commands: [`gcloud iam service-accounts create vault-unseal --project ${cfg.project}`],
            docs: "https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity",
          },
        }));
      } else if (cluster) {
        findings.push(ctx.report("pass", "workload-identity", { email, cluster }));
      }
    }

    // The token proves the identity works: JWT grant at the key's token_uri, refresh token, or metadata token.
    const kms = await openKms(ctx, facts);
    try {
      await withDeadline(kms.auth.getAccessToken(), ctx.options.callTimeoutMs * 2 + 500);
    } catch (err) {
      const view = viewGcpError(err);
      return { findings: [...findings.filter((f) => f.status !== "pass"), ctx.report(view.network ? "error" : "fail", "token-failed", { label: facts.label, error: errorText(view) }, { cause: view.cause, fix: view.fix })] };
    } finally {
      await kms.close();
    }
    if (choice.kind === "file") {
      findings.unshift(ctx.report("pass", "file", { type: facts.accountType, path: choice.path, from: choice.from, email: facts.email ? ` for ${facts.email}` : "" }, {
        details: { source: facts.source, path: choice.path, from: choice.from, type: facts.accountType ?? null, client_email: facts.email ?? null },
      }));
    }
    return { findings, facts };
  },
});

/** Why a credentials file cannot be used, as a finding; undefined when it can. */
function fileProblem(ctx: CheckContext, choice: CredentialsFileChoice): Finding | undefined {
  const info = inspectKeyFile(choice.path);
  if (info.ok) return undefined;
  const where = choice.from;
  const setPath = choice.from === "env GOOGLE_CREDENTIALS" ? "export GOOGLE_CREDENTIALS=/path/to/key.json" : choice.from.startsWith("env ") ? `export ${choice.from.slice(4)}=/path/to/key.json` : `# in ${choice.from}:\ncredentials = "/path/to/key.json"`;
  switch (info.problem) {
    case "json-content":
      return ctx.report("fail", "json-content", { from: where }, {
        cause: "invalid_credentials",
        fix: { summary: "Write the JSON to a file readable by Vault and give its path instead.", commands: [`printf '%s' "$${choice.from.replace(/^env /, "")}" > /etc/vault/gcp-key.json   # then:`, setPath.replace("/path/to/key.json", "/etc/vault/gcp-key.json")] },
      });
    case "missing":
      return ctx.report("fail", "file-missing", { path: choice.path, from: where }, { cause: "no_credentials", fix: { summary: "Mount the key file at that path, or point the setting at the right file.", commands: [setPath] } });
    case "unreadable":
      return ctx.report("fail", "file-unreadable", { path: choice.path, from: where, error: info.error }, { cause: "invalid_credentials", fix: { summary: "Let the vault user read the file.", commands: [`chown vault: ${choice.path} && chmod 0400 ${choice.path}`] } });
    case "not-json":
      return ctx.report("fail", "not-json", { path: choice.path, from: where, error: info.error }, { cause: "invalid_credentials" });
    default:
      return ctx.report("fail", "unknown-type", { path: choice.path, from: where, type: info.type }, { cause: "invalid_credentials" });
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no token within ${ms} ms`), { name: "TimeoutError" })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
