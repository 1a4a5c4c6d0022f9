// `explain` over a log: reads line by line with bounded memory (long lines keep head and tail, groups
// are capped), reassembles multi-line errors, and groups repeats of the same cause and entities.
import { StringDecoder } from "node:string_decoder";
import type { CauseId } from "./causes.js";
import { explainText, type Diagnosis } from "./match.js";
import { redactText } from "../redact.js";

export interface ExplainAlternative {
  cause: CauseId;
  ruleId: string;
  title: string;
  confidence: number;
  distinguishing?: string;
}

export interface ExplainMatch extends Diagnosis {
  occurrences: number;
  firstLine: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  /** The first occurrence, redacted and shortened. */
  sample: string;
  /** Other causes the same message can have, best first. */
  alternatives?: ExplainAlternative[];
}

export interface ExplainReport {
  schemaVersion: 1;
  linesRead: number;
  bytesRead: number;
  matches: ExplainMatch[];
}

const MAX_LINE = 64 * 1024;
const MAX_RECORD_LINES = 200;
const MAX_RECORD_CHARS = 128 * 1024;
const MAX_GROUPS = 1000;
const MAX_SAMPLE = 2000;

/** Cheap gate before the full table: lines without any of these words cannot match a rule. */
const WORTH_MATCHING =
  /error|fail|denied|exception|unable|invalid|expired|not found|none (?:were )?found|refused|timeout|timed out|x509|tls|unauthori|forbidden|not initialized|no such host|cannot|can't|could not|throttl|exceeded|disabled|pending|no valid|not authorized|AADSTS|migrat|conflict with|OIDC|signature|panic|\b4\d\d\b|unreachable|unavailable|deadline|required|not enabled|identity/i;

const SYSLOG_PREFIX = /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) [^\s]{1,255} [^\s:[]{1,255}(?:\[\d{1,10}\])?: /;
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)/;
const JSON_TIMESTAMP = /"(?:@timestamp|time|timestamp|ts)":\s{0,3}"([^"]{1,64})"/;
const CONTINUATION = /^(?:[ \t]|caused by:|error details:|\* |status code:|URL: |Code: \d|Errors:|\tstatus code)/i;

/** Splits decoded text into lines; a line longer than MAX_LINE keeps its head and tail. */
class LineSplitter {
  private head = "";
  private tail = "";
  private cut = false;

  *feed(text: string): Generator<string> {
    let from = 0;
    for (let nl = text.indexOf("\n", from); nl >= 0; nl = text.indexOf("\n", from)) {
      this.append(text.slice(from, nl));
      yield this.take();
      from = nl + 1;
    }
    this.append(text.slice(from));
  }

  *end(): Generator<string> {
    if (this.head.length > 0 || this.cut) yield this.take();
  }

  private append(part: string): void {
    if (!this.cut && this.head.length + part.length <= MAX_LINE) {
      this.head += part;
      return;
    }
    if (!this.cut) {
      const room = MAX_LINE / 2 - this.head.length;
      if (room > 0) {
        this.head += part.slice(0, room);
        part = part.slice(room);
      } else {
        this.tail = this.head.slice(MAX_LINE / 2);
        this.head = this.head.slice(0, MAX_LINE / 2);
      }
      this.cut = true;
    }
    this.tail += part;
    if (this.tail.length > MAX_LINE) this.tail = this.tail.slice(-MAX_LINE / 2);
  }

  private take(): string {
    const line = this.cut ? `${this.head} … ${this.tail.slice(-MAX_LINE / 2)}` : this.head;
    this.head = "";
    this.tail = "";
    this.cut = false;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }
}

/** A line of a PEM body: base64 (at most 76 characters in RFC 7468, generous here), a header, or blank. */
const PEM_BODY_LINE = /^\s{0,16}(?:[A-Za-z0-9+/=]{1,128}|(?:Proc-Type|DEK-Info):.{0,200})?\s{0,16}$/;
/** Lines a key body may span: an 8192-bit RSA key is about 100. */
const MAX_PEM_LINES = 256;

/** Drops PEM private key bodies that span lines before anything else sees them. */
class PemFilter {
  private inside = false;
  private lines = 0;

  filter(line: string): string | undefined {
    if (this.inside) {
      const end = line.indexOf("PRIVATE KEY-----");
      if (end >= 0 && line.includes("-----END")) {
        this.inside = false;
        return line.slice(end + "PRIVATE KEY-----".length) || undefined;
      }
      // A key cut short (no END line) hides only what still looks like its body, never the rest of the log.
      if (++this.lines <= MAX_PEM_LINES && PEM_BODY_LINE.test(line)) return undefined;
      this.inside = false;
    }
    const begin = line.search(/-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/);
    if (begin >= 0 && line.indexOf("-----END", begin) < 0) {
      this.inside = true;
      this.lines = 0;
      return line.slice(0, begin) + "<redacted>";
    }
    return line;
  }
}

interface LogRecord {
  text: string;
  lines: number;
  firstLine: number;
  timestamp?: string;
}

function timestampOf(line: string, syslog?: string): string | undefined {
  return ISO_TIMESTAMP.exec(line)?.[1] ?? JSON_TIMESTAMP.exec(line)?.[1] ?? syslog;
}

function groupKey(d: Diagnosis): string {
  const entities = Object.keys(d.entities)
    .sort()
    .map((k) => `${k}=${d.entities[k]}`)
    .join(",");
  return `${d.cause}|${d.ruleId}|${entities}`;
}

function toMatch(d: Diagnosis, rest: Diagnosis[], record: LogRecord): ExplainMatch {
  const sample = redactText(record.text).slice(0, MAX_SAMPLE);
  const m: ExplainMatch = { ...d, occurrences: 1, firstLine: record.firstLine, sample };
  if (record.timestamp) {
    m.firstTimestamp = record.timestamp;
    m.lastTimestamp = record.timestamp;
  }
  if (rest.length > 0) {
    m.alternatives = rest.map((a) => {
      const alt: ExplainAlternative = { cause: a.cause, ruleId: a.ruleId, title: a.title, confidence: a.confidence };
      if (a.distinguishing) alt.distinguishing = a.distinguishing;
      return alt;
    });
  }
  return m;
}

/** Distinct message texts remembered at once: a log repeats a few errors thousands of times. */
const MAX_CACHED = 512;

class MatchGroups {
  private readonly groups = new Map<string, ExplainMatch>();
  private readonly explained = new Map<string, Diagnosis[]>();

  /** The table's answer for a record, computed once per distinct message (the timestamp aside). */
  private diagnose(record: LogRecord, opts: { provider?: string }): Diagnosis[] {
    const message = record.timestamp ? record.text.replace(record.timestamp, "") : record.text;
    const cached = this.explained.get(message);
    if (cached) return cached;
    const result = explainText(record.text, opts);
    if (this.explained.size >= MAX_CACHED) this.explained.clear();
    this.explained.set(message, result);
    return result;
  }

  add(record: LogRecord, opts: { provider?: string }): void {
    if (!WORTH_MATCHING.test(record.text)) return;
    const [best, ...rest] = this.diagnose(record, opts);
    if (!best) return;
    let key = groupKey(best);
    // Past the cap, fold new entity variants into one group per rule so memory stays bounded.
    if (!this.groups.has(key) && this.groups.size >= MAX_GROUPS) key = `${best.cause}|${best.ruleId}|*`;
    const seen = this.groups.get(key);
    if (!seen) {
      this.groups.set(key, toMatch(best, rest, record));
      return;
    }
    seen.occurrences += 1;
    if (record.timestamp) {
      seen.firstTimestamp ??= record.timestamp;
      seen.lastTimestamp = record.timestamp;
    }
  }

  /** Most specific first, then most frequent, then earliest. */
  sorted(): ExplainMatch[] {
    return [...this.groups.values()].sort((a, b) => b.confidence - a.confidence || b.occurrences - a.occurrences || a.firstLine - b.firstLine);
  }
}

export async function explainStream(input: NodeJS.ReadableStream, opts: { provider?: string } = {}): Promise<ExplainReport> {
  const decoder = new StringDecoder("utf8");
  const splitter = new LineSplitter();
  const pem = new PemFilter();
  const groups = new MatchGroups();
  let bytesRead = 0;
  let linesRead = 0;
  let record: LogRecord | undefined;
  let previousEndsWithColon = false;

  const flush = (): void => {
    if (record) groups.add(record, opts);
    record = undefined;
  };

  const onLine = (raw: string): void => {
    linesRead += 1;
    const filtered = pem.filter(raw);
    if (filtered === undefined) return;
    const syslog = SYSLOG_PREFIX.exec(filtered);
    const line = syslog ? filtered.slice(syslog[0].length) : filtered;
    if (line.trim().length === 0) return;
    const continues =
      record !== undefined &&
      record.lines < MAX_RECORD_LINES &&
      record.text.length + line.length < MAX_RECORD_CHARS &&
      (CONTINUATION.test(line) || (previousEndsWithColon && !ISO_TIMESTAMP.test(line)));
    if (continues && record) {
      record.text += "\n" + line;
      record.lines += 1;
    } else {
      flush();
      record = { text: line, lines: 1, firstLine: linesRead, timestamp: timestampOf(line, syslog?.[1]) };
    }
    previousEndsWithColon = line.trimEnd().endsWith(":");
  };

  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    bytesRead += buf.length;
    for (const line of splitter.feed(decoder.write(buf))) onLine(line);
  }
  for (const line of splitter.feed(decoder.end())) onLine(line);
  for (const line of splitter.end()) onLine(line);
  flush();
  return { schemaVersion: 1, linesRead, bytesRead, matches: groups.sorted() };
}
