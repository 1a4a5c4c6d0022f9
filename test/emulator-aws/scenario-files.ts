// Loads the AWS part of a scenario file (fixtures/scenarios/<name>.json) for the emulator tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AwsScenario, ScenarioFile } from "../emulator/aws/scenario.js";

const SCENARIO_DIR = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));

export function readScenarioFile(name: string): ScenarioFile {
  return JSON.parse(readFileSync(`${SCENARIO_DIR}${name}.json`, "utf8")) as ScenarioFile;
}

export function awsScenario(name: string): AwsScenario {
  const aws = readScenarioFile(name).aws;
  if (!aws) throw new Error(`scenario ${name} has no aws part`);
  return aws;
}
