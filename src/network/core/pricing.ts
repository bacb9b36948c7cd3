// Prices are integer micro-credits per hour per unit: cpu per core, memory per GiB, gpu per
// device. BigInt for products so no intermediate ever leaves the safe-integer range.
const HOUR_MS = 3_600_000n;
const GIB = 2n ** 30n;

export interface ProviderPrices {
  price_cpu: number;
  price_memory: number;
  price_gpu: number;
}

/** Hourly micro-credit rate of a job's resources at a provider's prices (rounded up). */
export function hourlyRate(p: ProviderPrices, job: { cpu_milli: number; memory_bytes: number; gpu: number }): number {
  const cpu = BigInt(job.cpu_milli) * BigInt(p.price_cpu); // milli-cores × µcr/core-h
  const mem = BigInt(job.memory_bytes) * BigInt(p.price_memory); // bytes × µcr/GiB-h
  const gpu = BigInt(job.gpu) * BigInt(p.price_gpu);
  // ceil(cpu/1000 + mem/GiB) + gpu, computed over a common denominator.
  const denom = 1000n * GIB;
  const frac = cpu * GIB + mem * 1000n;
  return Number((frac + denom - 1n) / denom + gpu);
}

/** What `rate` µcr/h costs for `ms` milliseconds (rounded down: the consumer never overpays). */
export function chargeFor(rate: number, ms: number): number {
  if (ms <= 0) return 0;
  return Number((BigInt(rate) * BigInt(Math.floor(ms))) / HOUR_MS);
}

/** Escrow for a job: maxPrice (µcr/h) × timeout, rounded up so the charge always fits. */
export function escrowFor(maxPrice: number, timeoutMs: number): number {
  return Number((BigInt(maxPrice) * BigInt(timeoutMs) + HOUR_MS - 1n) / HOUR_MS);
}
