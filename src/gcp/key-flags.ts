// The gcloud flags that name a Cloud KMS key's ring, location and project, shell-quoted (values come from a config).
import { shq } from "../shell.js";

export function keyFlags(cfg: { keyRing: string; location: string; project: string }): string {
  return `--keyring ${shq(cfg.keyRing)} --location ${shq(cfg.location)} --project ${shq(cfg.project)}`;
}
