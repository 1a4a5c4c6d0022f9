// Until cloudkms.googleapis.com is enabled in the project billed for the call, every Cloud KMS call
// answers PERMISSION_DENIED with ErrorInfo reason SERVICE_DISABLED: "Cloud Key Management Service (KMS)
// API has not been used in project N before or it is disabled" (https://github.com/kubernetes/k8s.io/pull/6403).
// Probe: TestIamPermissions on the key, which needs no permission of its own, so any answer other than
// SERVICE_DISABLED shows the API is on.
import { defineCheck } from "../../src/check.js";
import { callGcp, errorText, openKms, viewGcpError, type GcpApiFacts, type GcpConfigFacts, type GcpCredentialFacts } from "../../src/gcp/session.js";

export default defineCheck({
  id: "gcpckms.api-enabled",
  title: "Cloud KMS API enabled",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["gcpckms"],
  needs: ["gcpckms.config", "gcpckms.credentials"],
  messages: {
    "enabled": "The Cloud KMS API answers for project {project}.",
    "disabled": "The Cloud KMS API is not enabled in project {consumer}: every call Vault makes fails with \"{error}\".",
    "scopes": "Cloud KMS refused the token's OAuth scopes: {error}",
    "failed": "Could not tell whether the Cloud KMS API is enabled: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("gcpckms.config");
    const creds = ctx.need("gcpckms.credentials");
    const kms = await openKms(ctx, creds);
    try {
      // The client's typings ask for the protobuf class here; a plain object is what goes on the wire.
      await callGcp(ctx, () => kms.client.testIamPermissions({ resource: cfg.keyName, permissions: ["cloudkms.cryptoKeys.get"] } as never));
      return { findings: [ctx.report("pass", "enabled", { project: cfg.project })], facts: { enabled: true as const } };
    } catch (err) {
      const view = viewGcpError(err);
      if (view.reason === "SERVICE_DISABLED" || view.cause === "api_disabled") {
        // The consumer is the project billed for the call (the caller's, which may differ from the key's).
        const consumer = view.consumer?.replace(/^projects\//, "") ?? cfg.project;
        return { findings: [ctx.report("fail", "disabled", { consumer, error: view.message }, {
          cause: "api_disabled",
          details: { consumer_project: consumer, key_project: cfg.project },
          fix: {
            // Google names the consumer by project NUMBER, the config by project ID: a number is not a different project.
            summary: `Enable the Cloud KMS API in project ${consumer}${/^\d+$/.test(consumer) ? ` (the project number of the project billed for the calls: ${cfg.project}'s own number unless Vault's credentials bill another project)` : consumer !== cfg.project ? ` (the project billed for the calls; the key lives in ${cfg.project})` : ""}; it can take a few minutes to propagate.`,
            commands: [`gcloud services enable cloudkms.googleapis.com --project ${consumer}`],
            docs: "https://cloud.google.com/kms/docs/create-encryption-keys#before-you-begin",
          },
        })] };
      }
      // NOT_FOUND and PERMISSION_DENIED come from Cloud KMS itself, past the API gate.
      if (view.status === "NOT_FOUND" || (view.status === "PERMISSION_DENIED" && view.cause !== "insufficient_scopes")) {
        return { findings: [ctx.report("pass", "enabled", { project: cfg.project })], facts: { enabled: true as const } };
      }
      if (view.cause === "insufficient_scopes") return { findings: [ctx.report("fail", "scopes", { error: errorText(view) }, { cause: view.cause, fix: view.fix })] };
      return { findings: [ctx.report("error", "failed", { error: errorText(view) }, { cause: view.cause, fix: view.fix })] };
    } finally {
      await kms.close();
    }
  },
});
