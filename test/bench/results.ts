// The bench's results as data, and their one markdown table (printed, and copied into BENCHMARKS.md).

/** true/false: target met or not; "n/a": no target for this row; "skipped": not measured (see the notes). */
export type Verdict = boolean | "n/a" | "skipped";

export interface BenchRow {
  name: string;
  /** The doctor's number (median unless said otherwise). */
  doctor: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  met: Verdict;
}

export interface BenchSection {
  id: number;
  title: string;
  rows: BenchRow[];
  /** What the target means, how it was measured, and anything skipped or doubtful. */
  notes: string[];
}

const MET_TEXT = (v: Verdict) => (v === true ? "yes" : v === false ? "**no**" : v === "skipped" ? "skipped" : "—");
const cell = (s: string | undefined) => (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderTable(sections: BenchSection[]): string {
  const lines = ["| # | Measurement | vault-kms-doctor | Baseline | Ratio | Target | Met |", "|---|---|---|---|---|---|---|"];
  for (const s of sections) {
    for (const r of s.rows) {
      lines.push(`| ${s.id} | ${cell(`${s.title}: ${r.name}`)} | ${cell(r.doctor)} | ${cell(r.baseline ?? "")} | ${cell(r.ratio ?? "")} | ${cell(r.target ?? "")} | ${MET_TEXT(r.met)} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function renderNotes(sections: BenchSection[]): string {
  return sections
    .filter((s) => s.notes.length > 0)
    .map((s) => `**${s.id}. ${s.title}.** ${s.notes.join(" ")}`)
    .join("\n\n");
}

/** A section that could not run at all still gets a row saying why. */
export function skippedSection(id: number, title: string, reason: string): BenchSection {
  return { id, title, rows: [{ name: "not measured", doctor: "—", met: "skipped" }], notes: [reason] };
}
