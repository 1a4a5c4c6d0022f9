// The bench's baseline for a dead endpoint: a bare @aws-sdk/client-kms DescribeKey with every SDK default
// (region, endpoint and credentials from the environment; default retries; no request timeout of our own).
// Prints one JSON line with the outcome; the bench caps the whole process at 60 s.
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";

const client = new KMSClient({});
try {
  await client.send(new DescribeKeyCommand({ KeyId: process.argv[2] ?? "alias/vault-unseal" }));
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, name: err.name, code: err.code, message: String(err.message).slice(0, 200), attempts: err.$metadata?.attempts })}\n`);
}
