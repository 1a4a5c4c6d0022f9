import { defineConfig } from "vitest/config";

// CI asks for a machine-readable result file to print its closing `N passed, N failed` line.
const resultsFile = process.env.VKD_TEST_RESULTS;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Nothing under test may reach a real metadata server or cloud.
    env: { METADATA_SERVER_DETECTION: "none", AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1" },
    pool: "forks",
    reporters: resultsFile ? ["default", "json"] : ["default"],
    outputFile: resultsFile ? { json: resultsFile } : undefined,
  },
});
