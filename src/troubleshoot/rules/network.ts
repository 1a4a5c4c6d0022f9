// Transport failures shared by all seals: DNS, TCP, TLS, HTTP 429. Metadata endpoints have their own
// rules (aws.ts, gcp.ts) that score higher.
import { defineRules, valueOr } from "../rule.js";

export const networkRules = defineRules([
  {
    id: "net.unreachable",
    cause: "network_unreachable",
    providers: ["*"],
    title: "The KMS endpoint cannot be reached",
    explanation: "The connection failed before any answer: DNS, routing, firewall/NetworkPolicy, proxy, or the server is down.",
    grpcCodes: [14, 4],
    errorNames: ["ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "TimeoutError"],
    patterns: [
      /dial tcp ?[^\n]{0,300}(?:no route to host|connection refused|network is unreachable|i\/o timeout|no such host)/,
      /\b(?:ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/,
      /context deadline exceeded/,
      /Client\.Timeout exceeded/,
      /code = (?:Unavailable|DeadlineExceeded)/,
      /\b14 UNAVAILABLE\b|\b4 DEADLINE_EXCEEDED\b/,
    ],
    score: 75,
    fix: (e) => ({
      summary: `Check DNS, routes, firewall/NetworkPolicy egress and proxy settings (HTTPS_PROXY/NO_PROXY) from the Vault host to ${valueOr(e, "host", "the KMS endpoint")}.`,
      commands: [`curl -sv --max-time 5 https://${valueOr(e, "host", "<KMS_ENDPOINT>").replace(/:443$/, "")} -o /dev/null`],
    }),
    sources: ["https://github.com/hashicorp/vault/issues/10423", "https://github.com/hashicorp/vault/issues/5878"],
  },
  {
    id: "net.tls",
    cause: "tls_error",
    providers: ["*"],
    title: "TLS verification or handshake failed",
    explanation: "The server certificate is not trusted (private CA missing from the trust store / tls_ca_cert / VAULT_CACERT), does not match the host name, or a proxy intercepts TLS.",
    errorNames: ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_HAS_EXPIRED"],
    patterns: [
      /x509: certificate/,
      /tls: handshake failure/,
      /remote error: tls/,
      /certificate verify failed/,
      /unable to get local issuer certificate|self[- ]signed certificate in certificate chain|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID/,
    ],
    score: 88,
    fix: (e) => ({
      summary: "Give Vault the CA that signed the endpoint's certificate (transit: tls_ca_cert or VAULT_CACERT; system trust store otherwise) and make sure no proxy re-signs the traffic.",
      commands: [`openssl s_client -connect ${valueOr(e, "host", "<HOST>:443")} -showcerts </dev/null`],
    }),
    sources: ["https://github.com/hashicorp/vault-k8s/issues/701", "https://github.com/hashicorp/vault/issues/7400"],
  },
  {
    id: "net.http_429",
    cause: "throttled",
    providers: ["*"],
    title: "The service answered 429 Too Many Requests",
    explanation: "The endpoint is rate limiting the caller.",
    patterns: [/\b429 Too Many Requests\b/, /StatusCode=429/, /Code: 429\./],
    score: 70,
    fix: () => ({ summary: "Reduce the request rate, back off and retry, or raise the quota.", commands: [] }),
    sources: ["https://learn.microsoft.com/en-us/azure/key-vault/general/overview-throttling"],
  },
]);
