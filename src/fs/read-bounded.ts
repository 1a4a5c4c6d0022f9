// The one way the tool reads a file it was pointed at. Only regular files are read (a FIFO, a socket, a
// character device such as /dev/zero or a directory is refused, also behind a symlink), and never more than a
// cap per kind of file, so a hostile or mistaken path can neither hang the run nor grow memory without bound.
//
// How: stat() the path (following symlinks) and refuse anything but a regular file before opening it, because
// open() on a FIFO blocks until a writer appears. Then open with O_NONBLOCK (a FIFO swapped in between cannot
// block either), fstat() the open descriptor and check that it is still a regular file (and the same one), and
// read at most cap + 1 bytes: one byte over the cap is a refusal, whatever stat said about the size.
// Reading a regular file of at most a few MB is bounded in time by its size; the caps are far below what a run's
// budget could not afford (a 16 MB config reads in milliseconds).
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { UsageError } from "../exit-codes.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Kinds of file the tool reads, each with its cap. */
const READ_CAPS = {
  /** Vault server config (.hcl / .json): Vault's own configs are a few KB; 16 MB leaves room for generated ones. */
  config: 16 * MiB,
  /** --fleet JSON. */
  fleet: 16 * MiB,
  /** `policy` inputs: an IAM or key policy (AWS caps key policies at 32 KB, managed policies at 6,144 characters). */
  policy: 4 * MiB,
  /** A PEM CA bundle (--ca-cert, VAULT_CACERT; the whole Mozilla bundle is about 220 KB). */
  "ca-cert": 4 * MiB,
  /** A `file://` seal value, a token file, a credentials JSON (a service-account key is about 2.3 KB). */
  credentials: 1 * MiB,
  /** A projected service-account token (STS takes at most 20,000 characters: AssumeRoleWithWebIdentity WebIdentityToken). */
  "web-identity-token": 64 * KiB,
  /** The AWS shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
  "aws-shared-file": 1 * MiB,
} as const;

export type FileKind = keyof typeof READ_CAPS;

const KIND_NAME: Record<FileKind, string> = {
  config: "config file",
  fleet: "fleet file",
  policy: "policy file",
  "ca-cert": "CA certificate file",
  credentials: "credentials file",
  "web-identity-token": "web identity token file",
  "aws-shared-file": "AWS shared config/credentials file",
};

/** A path the tool will not read (not a regular file, or over the cap): a usage error, exit 2, naming the file. */
export class FileRefusedError extends UsageError {
  constructor(readonly file: string, readonly kind: FileKind, readonly reason: string) {
    super(`${file}: refusing to read this ${KIND_NAME[kind]}: ${reason}`);
    this.name = "FileRefusedError";
  }
}

function describeType(st: Stats): string {
  if (st.isFIFO()) return "it is a FIFO (named pipe), not a regular file";
  if (st.isCharacterDevice()) return "it is a character device, not a regular file";
  if (st.isBlockDevice()) return "it is a block device, not a regular file";
  if (st.isSocket()) return "it is a socket, not a regular file";
  if (st.isDirectory()) return "it is a directory, not a regular file";
  return "it is not a regular file";
}

function capText(cap: number): string {
  return cap >= MiB ? `${cap / MiB} MiB` : `${cap / KiB} KiB`;
}

/**
 * Refuses a path that is not a regular file or is over the cap for its kind, without opening it. Errors of the
 * file system itself (ENOENT, EACCES, ...) are thrown as they are, for the caller to report as it always did.
 */
function assertReadable(file: string, kind: FileKind): Stats {
  const st = statSync(file);
  if (!st.isFile()) throw new FileRefusedError(file, kind, describeType(st));
  const cap = READ_CAPS[kind];
  if (st.size > cap) throw new FileRefusedError(file, kind, `it is ${st.size} bytes, over the ${capText(cap)} limit`);
  return st;
}

/** Like assertReadable, but a path that does not exist or cannot be stat'ed is left to whoever reads it. */
export function refuseIfHostile(file: string | undefined, kind: FileKind): void {
  if (!file) return;
  try {
    assertReadable(file, kind);
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
  }
}

/** Reads a regular file of at most READ_CAPS[kind] bytes. */
export function readBounded(file: string, kind: FileKind): Buffer {
  const before = assertReadable(file, kind);
  const cap = READ_CAPS[kind];
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileRefusedError(file, kind, describeType(st));
    if (st.ino !== before.ino || st.dev !== before.dev) throw new FileRefusedError(file, kind, "it was replaced while being opened");
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * KiB, cap + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > cap) throw new FileRefusedError(file, kind, `it is over the ${capText(cap)} limit`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

export function readBoundedText(file: string, kind: FileKind): string {
  return readBounded(file, kind).toString("utf8");
}
