// The real peers (OpenBao 2.6, moto, the aws CLI) installed by `npm run peers` (scripts/peers.sh) into the
// ignored folder .peers/. A test that needs one fails — never skips — when it is missing.
import { accessSync, constants } from "node:fs";
import { fileURLToPath } from "node:url";

export const PEERS_BIN = fileURLToPath(new URL("../../.peers/bin/", import.meta.url));

export type PeerName = "bao" | "moto_server" | "aws";

/** Absolute path of an executable peer under .peers/bin/; throws (telling how to install it) when missing. */
export function peerBinary(name: PeerName): string {
  const path = `${PEERS_BIN}${name}`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`peer "${name}" is not installed (${path} is missing or not executable): run \`npm run peers\` first`);
  }
  return path;
}
