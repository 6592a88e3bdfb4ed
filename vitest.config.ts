import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests spawn the built CLI and a sandbox; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" line; in CI each test's
    // start and end is logged as it happens, so a run that stalls shows where.
    reporters: [
      "default",
      ["json", { outputFile: "test-results/vitest.json" }],
      ...(process.env["CI"] ? ["./test/support/ProgressReporter.ts"] : [])
    ]
  }
})
