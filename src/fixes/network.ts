// "Could not check" because the endpoint did not answer: the fix is about reaching it, with the real URL, the
// deadline this run used, the proxy variables, DNS, and (for the public endpoint) the VPC interface endpoint.
import type { Fix } from "../model.js";
import { endpointFor, type AwsClientOptions, type AwsService } from "../clients/aws.js";
import { sh } from "../shell.js";

/** The endpoint and deadline, for the message: "no answer from https://kms.us-east-1.amazonaws.com within 3000 ms". */
export function unreachableText(service: AwsService, opts: Pick<AwsClientOptions, "region" | "kmsEndpoint" | "env" | "callTimeoutMs">, errorName: string): string {
  const { url } = endpointFor(service, opts);
  return `no answer from ${url} within ${opts.callTimeoutMs} ms (${errorName})`;
}

export function awsNetworkFix(service: AwsService, opts: Pick<AwsClientOptions, "region" | "kmsEndpoint" | "env" | "callTimeoutMs">): Fix {
  const { url, custom } = endpointFor(service, opts);
  let host = url;
  try { host = new URL(url).hostname; } catch { /* keep the raw value */ }
  const proxies = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY", "no_proxy"].filter((k) => opts.env[k]).map((k) => `${k}=${opts.env[k]}`);
  const commands = [
    sh`getent hosts ${host}` + "   # DNS: does the name resolve where Vault runs?",
    sh`curl -sS -o /dev/null -w '%{http_code}\\n' --max-time 5 ${url}` + "   # any HTTP status (even 4xx) means the network path works",
    "env | grep -iE '^(https?_proxy|no_proxy)='   # Vault honours these proxy variables too",
  ];
  if (!custom && service === "kms") commands.push(sh`aws ec2 describe-vpc-endpoints --region ${opts.region} --filters Name=service-name,Values=com.amazonaws.${opts.region}.kms --query 'VpcEndpoints[].[VpcEndpointId,State]' --output text` + "   # private subnets reach KMS through an interface endpoint or a NAT");
  commands.push(`vault-kms-doctor --call-timeout ${Math.max(10, Math.ceil((opts.callTimeoutMs * 3) / 1000))}s   # again with more time per call, if the endpoint is only slow`);
  return {
    summary: `Make ${url} reachable from where Vault runs (DNS, routes, firewall / security group / NetworkPolicy egress to port 443${custom ? ", the custom endpoint setting" : ", a VPC endpoint or NAT"}${proxies.length ? `, the proxy settings ${proxies.join(" ")}` : ""}); this run gave each call ${opts.callTimeoutMs} ms.`,
    commands,
    docs: "https://docs.aws.amazon.com/kms/latest/developerguide/kms-vpc-endpoint.html",
  };
}
