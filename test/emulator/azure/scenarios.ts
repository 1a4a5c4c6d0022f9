// Named Azure scenarios for the azurekeyvault checks: a healthy vault and one fault each.
import type { AzureScenario } from "./server.js";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const OTHER_TENANT = "0d5f2c3a-1111-4a2b-9c3d-5e6f7a8b9c0d";
export const SUBSCRIPTION = "6082bfda-63d0-46f4-8272-ae9195139feb";
export const APP = { clientId: "11111111-2222-3333-4444-555555555555", secret: "s3cr3t~value.of.the.client-secret", objectId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" };
export const MI = { clientId: "99999999-8888-7777-6666-555555555555", objectId: "12121212-3434-5656-7878-909090909090", tenantId: TENANT };
export const VAULT = "vault-unseal-kv";
export const KEY = "vault-unseal";

export function healthy(): AzureScenario {
  return {
    tenants: { [TENANT]: { apps: [{ ...APP }] }, [OTHER_TENANT]: { apps: [{ ...APP }] } },
    managedIdentities: [{ ...MI }],
    subscriptionId: SUBSCRIPTION,
    vault: { name: VAULT, tenantId: TENANT, resourceGroup: "vault-rg", rbac: false, softDelete: true, purgeProtection: true },
    keys: [{ name: KEY, versions: [{}] }],
    grants: { [APP.objectId]: ["get", "list", "wrapKey", "unwrapKey"], [MI.objectId]: ["get", "list", "wrapKey", "unwrapKey"] },
    armReaders: [APP.objectId, MI.objectId],
  };
}

type Mutator = (s: AzureScenario) => void;

export const AZURE_SCENARIOS: Record<string, Mutator> = {
  healthy: () => {},
  "key-disabled": (s) => { s.keys[0]!.versions = [{ enabled: false }]; },
  "older-version-disabled": (s) => { s.keys[0]!.versions = [{ enabled: false }, {}]; },
  "key-missing-wrapkey": (s) => { s.keys[0]!.ops = ["unwrapKey", "decrypt"]; },
  "no-permission": (s) => { s.grants[APP.objectId] = ["get", "list"]; },
  "no-permission-rbac": (s) => { s.vault.rbac = true; s.grants[APP.objectId] = ["list"]; },
  "expired-secret": (s) => { s.tenants[TENANT]!.apps[0]!.secretExpired = true; },
  "mi-not-assigned": (s) => { s.managedIdentities = []; },
  "imds-down": (s) => { s.imdsDown = true; },
  firewall: (s) => { s.vault.firewallDenies = true; s.vault.defaultAction = "Deny"; s.vault.ipRules = ["203.0.113.7/32"]; },
  "soft-delete-off": (s) => { s.vault.softDelete = false; s.vault.purgeProtection = false; },
  "public-access-disabled": (s) => { s.vault.publicNetworkAccess = "Disabled"; },
  "vault-other-tenant": (s) => { s.vault.tenantId = OTHER_TENANT; },
  "key-expired": (s) => { s.keys[0]!.versions = [{ exp: Math.floor(Date.now() / 1000) - 3600 }]; },
  "key-not-yet-valid": (s) => { s.keys[0]!.versions = [{ nbf: Math.floor(Date.now() / 1000) + 86_400 }]; },
  "key-ec": (s) => { s.keys[0]!.kty = "EC"; },
  "key-missing": (s) => { s.keys = []; },
  "no-get": (s) => { s.grants[APP.objectId] = ["wrapKey", "unwrapKey"]; },
  "old-seal-unwrap-only": (s) => { s.grants[APP.objectId] = ["get", "unwrapKey"]; },
  "no-list": (s) => { s.grants[APP.objectId] = ["get", "wrapKey", "unwrapKey"]; },
  "arm-denied": (s) => { s.armReaders = []; },
  "workload-identity": (s) => { s.tenants[TENANT]!.apps[0]!.federatedSubject = "system:serviceaccount:vault:vault"; },
  "conditional-access": (s) => { s.tenants[TENANT]!.apps[0]!.blocked = true; },
  "corrupt-unwrap": (s) => { s.vault.corruptUnwrap = true; },
};

export function azureScenario(name: string): AzureScenario {
  const mutate = AZURE_SCENARIOS[name];
  if (!mutate) throw new Error(`unknown Azure scenario ${name}`);
  const s = healthy();
  mutate(s);
  return s;
}
