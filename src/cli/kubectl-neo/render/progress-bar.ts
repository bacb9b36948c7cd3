// A fixed-width progress bar that reads the same in a terminal and in a log file.

export const BAR_WIDTH = 10;

/** `[####------]  40%`; an unknown progress shows an empty bar with "-". */
export function progressBar(progress: number | undefined, width = BAR_WIDTH): string {
  if (progress === undefined || !Number.isFinite(progress)) return `[${"-".repeat(width)}]    -`;
  const clamped = Math.max(0, Math.min(100, Math.round(progress)));
  const filled = Math.round((clamped / 100) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(clamped).padStart(3)}%`;
}
