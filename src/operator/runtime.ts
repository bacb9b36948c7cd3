// How the container image runs the operator (the Dockerfile's `neoengine-operator` wrapper; a
// unit test keeps the two equal) and the benchmark runs it the same way. Measured with 10,000
// NeoJobs (npm run bench -- operator): V8's young generation grows to 3 × 16 MiB under a burst of
// new objects, its old generation to up to 4 × the live data before collecting, and glibc keeps
// one malloc arena per thread. Capping the three took the operator's RSS with 10,000 NeoJobs from
// ~169-176 MiB to ~144 MiB (peak ~148 MiB while 9,000 jobs finished at once, ~108 MiB idle), at no
// measurable CPU cost in the benchmark.

/**
 * Node/V8 flags of the operator process: a 4 MiB semi-space (young generation ≤ 12 MiB) and an old
 * generation collected once it has grown by 25 % over the live data.
 */
export const OPERATOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--heap-growing-percent=25"];

/** Environment of the operator process (only where not set already). */
export const OPERATOR_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
