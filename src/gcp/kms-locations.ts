// Where else a key ring of the same id might live, when it is not in the configured location. The locations come
// from Cloud KMS itself: ListLocations (google.cloud.location.Locations mixin, listLocationsAsync on the
// KeyManagementServiceClient; read-only), so the list never goes stale. Only when that call is refused does the
// doctor fall back to the documented list below (https://cloud.google.com/kms/docs/locations), and says so.
// Then GetKeyRing in each location: a read-only call, each bounded.
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

/** At most this many locations are read from ListLocations (Cloud KMS has a few dozen). */
const MAX_LOCATIONS = 500;

/** The project's Cloud KMS locations from ListLocations; undefined when the call is refused or fails. */
export async function listKmsLocations(ctx: CheckContext, kms: GcpKmsClient, project: string): Promise<string[] | undefined> {
  try {
    return await callGcp(ctx, async () => {
      const ids: string[] = [];
      for await (const l of kms.client.listLocationsAsync({ name: `projects/${project}`, pageSize: 100 })) {
        if (l.locationId) ids.push(l.locationId);
        if (ids.length >= MAX_LOCATIONS) break;
      }
      return ids;
    });
  } catch {
    return undefined;
  }
}

/** Locations (other than `except`) where `projects/P/locations/L/keyRings/R` answers GetKeyRing, and where the list came from. */
export async function findKeyRingLocations(ctx: CheckContext, kms: GcpKmsClient, project: string, keyRing: string, except: string): Promise<string[]> {
  return (await findKeyRingLocationsFrom(ctx, kms, project, keyRing, except)).found;
}

export async function findKeyRingLocationsFrom(ctx: CheckContext, kms: GcpKmsClient, project: string, keyRing: string, except: string): Promise<{ found: string[]; source: "ListLocations" | "built-in list" }> {
  const listed = await listKmsLocations(ctx, kms, project);
  const source = listed && listed.length > 0 ? "ListLocations" as const : "built-in list" as const;
  const found: string[] = [];
  const candidates = (listed && listed.length > 0 ? listed : KMS_LOCATIONS).filter((l) => l !== except);
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
  return { found, source };
}
