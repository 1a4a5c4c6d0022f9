// A small read-only BoltDB (bbolt) reader: enough to fetch one key from one bucket of OpenBao's raft FSM file
// (`<storage path>/vault.db`, bucket "data": openbao physical/raft/fsm.go, dataBucketName). No npm package reads
// bbolt files, so this follows bbolt's on-disk format (go.etcd.io/bbolt, internal/common/page.go: page header
// {id u64, flags u16, count u16, overflow u32}, branchPageElement {pos u32, ksize u32, pgid u64},
// leafPageElement {flags u32, pos u32, ksize u32, vsize u32}; internal/common/meta.go: magic 0xED0CDAED,
// version 2, pageSize, flags, root InBucket, freelist, pgid, txid, FNV-64a checksum of the 56 bytes before it;
// internal/common/bucket.go: InBucket {root pgid u64, sequence u64}, root 0 = inline bucket whose page follows).
//
// Read-only by construction: the file is opened with O_RDONLY, never locked (bbolt's flock is advisory and
// only taken by bbolt itself), never mapped, never written. Pages are read with positional reads, each bounded.
// A running Vault may commit while we read: the walk starts from the newest valid meta page and the meta
// pages are read again afterwards; if the transaction id moved, the walk is retried (bounded), then given up.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";

const MAGIC = 0xed0cdaed;
const VERSION = 2;
const PAGE_HEADER = 16;
const BRANCH_ELEMENT = 16;
const LEAF_ELEMENT = 16;
const BUCKET_HEADER = 16;
const FLAG_BRANCH = 0x01;
const FLAG_LEAF = 0x02;
const FLAG_META = 0x04;
const BUCKET_LEAF_FLAG = 0x01;

/** Bounds: the largest file looked at, pages read per lookup, tree depth, and the largest value returned. */
export const BOLT_LIMITS = { maxFileBytes: 64 * 1024 ** 3, maxPagesRead: 4096, maxDepth: 32, maxValueBytes: 16 * 1024 * 1024, retries: 3 };

/** A file that is not a BoltDB file, or whose structure is damaged: names the file and what was wrong. */
export class BoltFormatError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: not a readable BoltDB file (${reason})`);
    this.name = "BoltFormatError";
  }
}

interface Meta {
  pageSize: number;
  root: bigint;
  txid: bigint;
}

/** FNV-1a 64 (Go's hash/fnv New64a), the meta page checksum. */
function fnv64a(buf: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

class Reader {
  private pagesRead = 0;
  constructor(private readonly fd: number, readonly file: string, readonly size: number) {}

  fail(reason: string): never {
    throw new BoltFormatError(this.file, reason);
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.size) this.fail(`a read at offset ${offset} of ${length} bytes lies outside the file (${this.size} bytes)`);
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) this.fail(`the file ended at ${offset + done} bytes while reading`);
      done += n;
    }
    return buf;
  }

  metaAt(offset: number): Meta | undefined {
    if (offset + PAGE_HEADER + 64 > this.size) return undefined;
    const page = this.read(offset, PAGE_HEADER + 64);
    if ((page.readUInt16LE(8) & FLAG_META) === 0) return undefined;
    const m = page.subarray(PAGE_HEADER);
    if (m.readUInt32LE(0) !== MAGIC || m.readUInt32LE(4) !== VERSION) return undefined;
    if (m.readBigUInt64LE(56) !== fnv64a(m.subarray(0, 56))) return undefined;
    const pageSize = m.readUInt32LE(8);
    if (pageSize < 512 || pageSize > 1 << 20 || (pageSize & (pageSize - 1)) !== 0) return undefined;
    return { pageSize, root: m.readBigUInt64LE(16), txid: m.readBigUInt64LE(48) };
  }

  /** The newest valid meta page (bbolt db.go: meta0 and meta1, the higher txid that validates). */
  meta(): Meta {
    const first = this.metaAt(0);
    // Page 1 sits one page in; if page 0 is damaged its page size is unknown, so try the usual sizes.
    const sizes = first ? [first.pageSize] : [4096, 8192, 16384, 65536, 1024, 2048];
    let second: Meta | undefined;
    for (const s of sizes) if ((second = this.metaAt(s))) break;
    const best = [first, second].filter((m): m is Meta => m !== undefined).sort((a, b) => (a.txid > b.txid ? -1 : 1))[0];
    if (!best) this.fail(this.size < PAGE_HEADER + 64 ? `only ${this.size} bytes` : "no valid meta page (bad magic, version or checksum)");
    return best;
  }

  /** A page (with its overflow pages) by id. */
  page(pageSize: number, pgid: bigint): Buffer {
    if (++this.pagesRead > BOLT_LIMITS.maxPagesRead) this.fail(`more than ${BOLT_LIMITS.maxPagesRead} pages read for one lookup`);
    const offset = Number(pgid) * pageSize;
    if (pgid < 2n || !Number.isSafeInteger(offset) || offset + PAGE_HEADER > this.size) this.fail(`page ${pgid} lies outside the file`);
    const header = this.read(offset, PAGE_HEADER);
    if (header.readBigUInt64LE(0) !== pgid) this.fail(`page ${pgid} carries id ${header.readBigUInt64LE(0)}`);
    const overflow = header.readUInt32LE(12);
    const length = (overflow + 1) * pageSize;
    if (length > BOLT_LIMITS.maxValueBytes + pageSize) this.fail(`page ${pgid} spans ${overflow} overflow pages`);
    return this.read(offset, Math.min(length, this.size - offset));
  }
}

/** Looks `key` up in the tree rooted at `page` (a page buffer, or an inline bucket's page). */
function search(r: Reader, pageSize: number, page: Buffer, key: Buffer, depth: number): { flags: number; value: Buffer } | undefined {
  if (depth > BOLT_LIMITS.maxDepth) r.fail(`the tree is deeper than ${BOLT_LIMITS.maxDepth}`);
  const flags = page.readUInt16LE(8);
  const count = page.readUInt16LE(10);
  const elements = PAGE_HEADER;
  if (elements + count * LEAF_ELEMENT > page.length) r.fail(`page ${page.readBigUInt64LE(0)} holds more elements than fit`);
  const slice = (at: number, len: number) => {
    if (at + len > page.length) r.fail(`an element of page ${page.readBigUInt64LE(0)} points outside it`);
    return page.subarray(at, at + len);
  };
  if (flags & FLAG_BRANCH) {
    // The last element whose key is <= key (bbolt cursor.go searchBranch).
    let child: bigint | undefined;
    for (let i = 0; i < count; i++) {
      const e = elements + i * BRANCH_ELEMENT;
      const k = slice(e + page.readUInt32LE(e), page.readUInt32LE(e + 4));
      if (Buffer.compare(k, key) > 0) break;
      child = page.readBigUInt64LE(e + 8);
    }
    if (child === undefined) {
      if (count === 0) r.fail(`branch page ${page.readBigUInt64LE(0)} is empty`);
      child = page.readBigUInt64LE(elements + 8);
    }
    return search(r, pageSize, r.page(pageSize, child), key, depth + 1);
  }
  if (flags & FLAG_LEAF) {
    for (let i = 0; i < count; i++) {
      const e = elements + i * LEAF_ELEMENT;
      const pos = page.readUInt32LE(e + 4);
      const ksize = page.readUInt32LE(e + 8);
      const vsize = page.readUInt32LE(e + 12);
      if (vsize > BOLT_LIMITS.maxValueBytes) r.fail(`a value of ${vsize} bytes`);
      const k = slice(e + pos, ksize);
      if (k.equals(key)) return { flags: page.readUInt32LE(e), value: Buffer.from(slice(e + pos + ksize, vsize)) };
    }
    return undefined;
  }
  return r.fail(`page ${page.readBigUInt64LE(0)} is neither a branch nor a leaf (flags 0x${flags.toString(16)})`);
}

/** The root page of a bucket from its value in the parent (InBucket header, or inline page). */
function bucketRoot(r: Reader, pageSize: number, value: Buffer, name: string): Buffer {
  if (value.length < BUCKET_HEADER) r.fail(`bucket ${JSON.stringify(name)} has a ${value.length}-byte header`);
  const root = value.readBigUInt64LE(0);
  if (root === 0n) {
    const inline = value.subarray(BUCKET_HEADER);
    if (inline.length < PAGE_HEADER) r.fail(`inline bucket ${JSON.stringify(name)} is cut short`);
    return inline;
  }
  return r.page(pageSize, root);
}

/** What the lookup found: the value (undefined when the key is absent) and the transaction it was read at. */
export interface BoltValue {
  value?: Buffer;
  txid: bigint;
  pageSize: number;
}

/**
 * Reads `key` from the bucket at `buckets` (a path of nested bucket names) of the BoltDB file `file`.
 * Throws BoltFormatError for a file that is not BoltDB or is damaged, a missing bucket included; other errors
 * (ENOENT, EACCES) are the file system's.
 */
export function boltGet(file: string, buckets: string[], key: string): BoltValue {
  // As src/fs/read-bounded.ts: only a regular file, opened non-blocking (a FIFO would block open), checked again once open.
  if (!statSync(file).isFile()) throw new BoltFormatError(file, "not a regular file");
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BoltFormatError(file, "not a regular file");
    const size = st.size;
    if (size > BOLT_LIMITS.maxFileBytes) throw new BoltFormatError(file, `${size} bytes, above the ${BOLT_LIMITS.maxFileBytes}-byte cap`);
    let lastError: unknown;
    for (let attempt = 0; attempt < BOLT_LIMITS.retries; attempt++) {
      const r = new Reader(fd, file, size);
      const meta = r.meta();
      try {
        const out = lookup(r, meta, buckets, key);
        // Still the same transaction afterwards: no commit overwrote what we walked.
        if (new Reader(fd, file, size).meta().txid === meta.txid) return out;
      } catch (err) {
        if (!(err instanceof BoltFormatError)) throw err;
        lastError = err;
        // A damaged walk under a moving file may be a race; a still file is simply damaged.
        if (new Reader(fd, file, size).meta().txid === meta.txid && fstatSync(fd).size === size) throw err;
      }
    }
    throw lastError instanceof BoltFormatError ? lastError : new BoltFormatError(file, "the file kept changing while being read (is Vault running? read a copy)");
  } finally {
    closeSync(fd);
  }
}

function lookup(r: Reader, meta: Meta, buckets: string[], key: string): BoltValue {
  let root = r.page(meta.pageSize, meta.root);
  for (const name of buckets) {
    const hit = search(r, meta.pageSize, root, Buffer.from(name, "utf8"), 0);
    if (!hit || (hit.flags & BUCKET_LEAF_FLAG) === 0) r.fail(`no bucket ${JSON.stringify(name)}`);
    root = bucketRoot(r, meta.pageSize, hit.value, name);
  }
  const hit = search(r, meta.pageSize, root, Buffer.from(key, "utf8"), 0);
  return { value: hit && (hit.flags & BUCKET_LEAF_FLAG) === 0 ? hit.value : undefined, txid: meta.txid, pageSize: meta.pageSize };
}
