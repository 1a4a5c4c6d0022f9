// Where else a key ring of the same id might live, when it is not in the configured location. The
// @google-cloud/kms client has no ListLocations method of its own (the Locations mixin), so the doctor
// asks GetKeyRing in each documented Cloud KMS location: a read-only call, each bounded.
// Locations: https://cloud.google.com/kms/docs/locations (multi-regional, dual-regional and regional).
import type { CheckContext } from "../check.js";
import type { GcpKmsClient } from "../clients/gcp.js";
import { callGcp } from "./session.js";
import { keyRingName } from "./resource-ids.js";

export const KMS_LOCATIONS = [
  "global", "us", "europe", "asia", "nam4", "eur4", "asia1",
  "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4",
  "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1",
  "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4",
  "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12",
  "me-central1", "me-central2", "me-west1", "africa-south1",
  "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2",
  "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2",
];

const BATCH = 12;

/** Locations (other than `except`) where `projects/P/locations/L/keyRings/R` answers GetKeyRing. */
export async function findKeyRingLocations(ctx: CheckContext, kms: GcpKmsClient, project: string, keyRing: string, except: string): Promise<string[]> {
  const found: string[] = [];
  const candidates = KMS_LOCATIONS.filter((l) => l !== except);
  for (let i = 0; i < candidates.length && found.length === 0; i += BATCH) {
    const batch = candidates.slice(i, i + BATCH);
    const answers = await Promise.all(batch.map(async (location) => {
      try {
        await callGcp(ctx, () => kms.client.getKeyRing({ name: keyRingName(project, location, keyRing) }));
        return location;
      } catch {
        return undefined;
      }
    }));
    found.push(...answers.filter((l): l is string => l !== undefined));
  }
  return found;
}
