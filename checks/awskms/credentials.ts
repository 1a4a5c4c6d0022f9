// Which credentials Vault's awskms seal will use, from which source, and whether that source works.
// IRSA: the projected token is decoded (not verified) for iss/sub/aud/exp. IMDS: the IMDSv2 token PUT is
// probed, because a hop limit of 1 from a container makes it hang. Secrets are never reported.
import { irsaExpiredFix, irsaTrustFix } from "../../src/fixes/irsa.js";
import { defineCheck, type Finding } from "../../src/check.js";
import { candidateSources, BAD_STATIC_CREDS } from "../../src/aws/credential-sources.js";
import { resolveCandidate } from "../../src/aws/resolve-credentials.js";
import { readIrsaSettings } from "../../src/aws/irsa-settings.js";
import { probeImds } from "../../src/aws/imds.js";
import { maskAccessKeyId, registerSecret } from "../../src/redact.js";
import { viewAwsError, type CredentialFacts, type RegionKeyFacts } from "../../src/aws/session.js";

const STS_AUDIENCE = "sts.amazonaws.com";

export default defineCheck({
  id: "awskms.credentials",
  title: "Credential chain",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["awskms"],
  needs: ["awskms.region-key"],
  messages: {
    "resolved": "Vault will use {label}: access key {accessKey}{expires}.",
    "bad-static": "{detail}: Vault fails with \"{vaultError}\".",
    "none": "No credential source is configured: Vault fails with \"NoCredentialProviders: no valid providers in chain\".",
    "source-failed": "{label} is the source Vault will use, but it did not produce credentials: {error}",
    "several-sources": "Several credential sources are configured ({sources}); Vault uses the first: {label}.",
    "irsa-token": "IRSA token {file}: sub {sub}, aud {aud}, issuer {iss}, expires {exp}.",
    "irsa-token-unreadable": "IRSA token file {file} cannot be read: {error}.",
    "irsa-token-invalid": "IRSA token file {file} does not hold a JWT.",
    "irsa-audience": "IRSA token audience is {aud}; AWS STS only accepts tokens whose aud includes sts.amazonaws.com.",
    "irsa-refused": "STS refused the pod's token for role {role}: the role's trust policy does not accept sub {sub} (aud {aud}) from this cluster's OIDC provider ({error}).",
    "irsa-expired": "IRSA token in {file} expired at {exp}; kubelet refreshes projected tokens, so a stale file means the volume is not the projected one.",
    "irsa-expiring": "IRSA token in {file} expires at {exp}, within this run's window.",
    "imds-hop-limit": "IMDSv2 at {endpoint}: {error}. From a container this is the hop-limit trap: the instance's HttpPutResponseHopLimit is 1.",
    "imds-no-role": "IMDS at {endpoint} answers but {error}.",
    "imds-ok": "IMDS at {endpoint}: role {role}, region {region}.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const region = ctx.need("awskms.region-key");
    const findings: Finding[] = [];
    const { candidates, badStatic } = candidateSources(seal, ctx.env);
    if (badStatic) {
      return { findings: [ctx.report("fail", "bad-static", { detail: badStatic, vaultError: BAD_STATIC_CREDS }, {
        cause: "invalid_credentials",
        fix: { summary: "Set both access_key and secret_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or neither to use the role-based sources.", commands: ["unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY   # to fall back to IRSA / instance profile"] },
      })] };
    }
    const configured = candidates.filter((c) => c.configured);
    const chosen = configured[0];
    const tried = candidates.map((c) => `${c.source}: ${c.configured ? (c === chosen ? "used" : "configured, not used") : "not configured"}`);
    if (!chosen) {
      return { findings: [ctx.report("fail", "none", {}, {
        cause: "no_credentials",
        details: { tried },
        fix: { summary: "Give Vault an identity: IRSA / Pod Identity on EKS, an instance profile on EC2, or static keys.", commands: ["kubectl -n <NAMESPACE> annotate serviceaccount <VAULT_SA> eks.amazonaws.com/role-arn=arn:aws:iam::<ACCOUNT>:role/<ROLE>"] },
      })] };
    }
    // Static keys and IMDS are both "configured" on an EC2 node; only real alternatives are worth a warning.
    const alternatives = configured.filter((c) => c !== chosen && c.source !== "imds" && c.source !== "shared-profile");
    if (alternatives.length > 0) {
      findings.push(ctx.report("warn", "several-sources", { sources: [chosen, ...alternatives].map((c) => c.label).join(", "), label: chosen.label }, {
        details: { used: chosen.source, also_configured: alternatives.map((c) => c.source) },
      }));
    }

    const webIdentity = candidates.find((c) => c.source === "web-identity")!;
    let irsa: CredentialFacts["irsa"];
    if (webIdentity.configured) {
      // Shared with awskms.irsa-trust, which reads the same settings when this check has no facts to give.
      const settings = readIrsaSettings(seal, ctx.env)!;
      const file = settings.tokenFile;
      const claims = settings.claims;
      if (settings.tokenProblem?.kind === "unreadable") findings.push(ctx.report(chosen === webIdentity ? "fail" : "warn", "irsa-token-unreadable", { file, error: settings.tokenProblem.error }, { cause: "web_identity_failed" }));
      if (settings.tokenProblem?.kind === "not-jwt") findings.push(ctx.report("fail", "irsa-token-invalid", { file }, { cause: "web_identity_failed" }));
      if (claims) {
        const exp = claims.exp ? new Date(claims.exp * 1000) : undefined;
        findings.push(ctx.report("pass", "irsa-token", { file, sub: claims.sub ?? "-", aud: claims.aud.join(",") || "-", iss: claims.iss ?? "-", exp: exp?.toISOString() ?? "never" }, {
          details: { iss: claims.iss ?? null, sub: claims.sub ?? null, aud: claims.aud, exp: exp?.toISOString() ?? null, role_arn: webIdentity.settings.roleArn! },
        }));
        if (!claims.aud.includes(STS_AUDIENCE)) {
          findings.push(ctx.report("fail", "irsa-audience", { aud: claims.aud.join(",") || "(none)" }, {
            cause: "web_identity_failed",
            fix: { summary: "Project the service-account token with audience sts.amazonaws.com (the EKS pod identity webhook does this for annotated service accounts).", commands: ["# in the pod spec's projected volume:\n- serviceAccountToken:\n    audience: sts.amazonaws.com\n    path: token"] },
          }));
        }
        if (exp && exp.getTime() <= Date.now()) findings.push(ctx.report("fail", "irsa-expired", { file, exp: exp.toISOString() }, { cause: "web_identity_failed", fix: irsaExpiredFix(file, claims) }));
        else if (exp && exp.getTime() <= Date.now() + ctx.options.timeoutMs) findings.push(ctx.report("warn", "irsa-expiring", { file, exp: exp.toISOString() }));
      }
      irsa = { roleArn: webIdentity.settings.roleArn!, tokenFile: file, claims };
    }

    if (chosen.source === "imds") {
      const endpoint = chosen.settings.endpoint!;
      const probe = await probeImds(endpoint, ctx.options.callTimeoutMs);
      if (!probe.tokenOk) {
        findings.push(ctx.report("fail", "imds-hop-limit", { endpoint, error: probe.tokenError }, {
          cause: "metadata_unreachable",
          fix: { summary: "Allow one more hop for the IMDSv2 token from containers, or give the pod its own identity (IRSA / Pod Identity).", commands: [
            "INSTANCE_ID=$(kubectl get node \"$(kubectl get pod vault-0 -o jsonpath='{.spec.nodeName}')\" -o jsonpath='{.spec.providerID}' | awk -F/ '{print $NF}')   # the node Vault runs on (not known to this run); on EC2 without Kubernetes: the instance id",
            "aws ec2 modify-instance-metadata-options --instance-id \"$INSTANCE_ID\" --http-put-response-hop-limit 2 --http-endpoint enabled",
            "# and set HttpPutResponseHopLimit=2 in the node group's launch template, so new nodes keep it",
          ] },
        }));
        return { findings };
      }
      if (!probe.roleName) findings.push(ctx.report("fail", "imds-no-role", { endpoint, error: probe.error ?? "no role" }, { cause: "no_credentials" }));
      else findings.push(ctx.report("pass", "imds-ok", { endpoint, role: probe.roleName, region: probe.region ?? "-" }));
    }

    try {
      const credentials = await resolveCandidate(chosen, seal, { region: region.region, callTimeoutMs: ctx.options.callTimeoutMs, env: ctx.env });
      registerSecret(credentials.secretAccessKey);
      registerSecret(credentials.sessionToken);
      const expires = credentials.expiration ? `, expires ${credentials.expiration.toISOString()}` : "";
      findings.unshift(ctx.report("pass", "resolved", { label: chosen.label, accessKey: maskAccessKeyId(credentials.accessKeyId), expires }, {
        details: { source: chosen.source, tried },
      }));
      return { findings, facts: { credentials, source: chosen.source, label: chosen.label, irsa, irsaConfigured: webIdentity.configured } };
    } catch (err) {
      const view = viewAwsError(err);
      // STS refused the pod's token: the role's trust policy does not accept its sub / aud / issuer.
      const refused = chosen === webIdentity && irsa?.claims && !view.network && /AccessDenied|not authorized|InvalidIdentityToken/i.test(`${view.name} ${view.message}`);
      if (refused && irsa?.claims) {
        findings.push(ctx.report("fail", "irsa-refused", { role: irsa.roleArn, sub: irsa.claims.sub ?? "(none)", aud: irsa.claims.aud.join(",") || "(none)", error: `${view.name}: ${view.message}` }, {
          cause: "web_identity_failed", fix: irsaTrustFix(irsa.roleArn, irsa.claims), details: { tried },
        }));
        return { findings };
      }
      findings.push(ctx.report(view.network ? "error" : "fail", "source-failed", { label: chosen.label, error: `${view.name}: ${view.message}` }, {
        cause: view.cause, fix: view.fix, details: { tried },
      }));
      return { findings };
    }
  },
});
