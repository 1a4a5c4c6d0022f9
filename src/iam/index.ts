// The project's single IAM policy evaluator: used by the AWS emulator to authorise KMS calls and answer
// iam:SimulatePrincipalPolicy, and by the offline policy lint. Because the emulator and the doctor share it,
// test/iam/differential.test.ts holds it to an independent evaluator (@cloud-copilot/iam-simulate).
export type {
  Decision,
  EvaluationResult,
  MatchedStatement,
  NamedPolicy,
  PolicyDocument,
  PolicyStatement,
  RequestContext,
} from "./types.js";
export { evaluateGeneric, evaluateKmsRequest, statementMatches } from "./evaluate.js";
