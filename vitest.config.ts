import { defineConfig } from "vitest/config";

// Two projects: "unit" needs nothing but Node (it may start the reference network server
// on loopback); "e2e" runs against a real control plane that its global setup starts
// (or the cluster KUBECONFIG points at when NEO_E2E_USE_EXISTING_CLUSTER=1).
export default defineConfig({
  test: {
    // In CI a JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "src/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One control plane is shared; files run one at a time so timing-sensitive
          // tests (leader hand-over, outages) don't compete for two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
