// Public API of the troubleshooting table: the live checks call classifyError, `explain` calls the rest.
export { CAUSE_IDS, isCauseId, type CauseId } from "./causes.js";
export { classifyError, explainText, type Diagnosis } from "./match.js";
export { explainStream, type ExplainAlternative, type ExplainMatch, type ExplainReport } from "./stream.js";
export { renderExplainJson, renderExplainText } from "./render.js";
export { RULES } from "./rules/index.js";
export type { TroubleshootRule } from "./rule.js";
