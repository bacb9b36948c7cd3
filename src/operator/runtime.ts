// How the container image runs the operator (the Dockerfile's `neoengine-operator` wrapper; a
// unit test keeps the two equal) and the benchmark runs it the same way. Measured with 10,000
// NeoJobs (npm run bench -- operator): V8's young generation grows to 3 × 16 MiB under a burst of
// new objects and glibc keeps one malloc arena per thread; capping both took the operator's RSS
// from ~169 to ~145 MiB with all 10,000 Submitted, and to ~109 MiB once idle.

/** Node/V8 flags of the operator process: a 4 MiB semi-space (young generation ≤ 12 MiB). */
export const OPERATOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/** Environment of the operator process (only where not set already). */
export const OPERATOR_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
