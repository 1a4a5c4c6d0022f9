// Typed facts: what a check publishes for the checks that name it in `needs` or `uses`. Each domain module
// adds its producers to FactMap by declaration merging (see src/aws/session.ts), so a consumer reads
// `ctx.need("awskms.region-key")` as RegionKeyFacts with no cast, and naming a check that publishes
// nothing is a compile error.

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FactMap {}

/** Ids of checks that publish facts. */
export type FactId = keyof FactMap & string;

/** The facts a check with this id publishes (unknown for a check nobody reads). */
export type FactsOf<Id extends string> = Id extends FactId ? FactMap[Id] : unknown;
