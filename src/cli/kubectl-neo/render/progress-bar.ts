// A fixed-width progress bar that reads the same in a terminal and in a log file.

export const BAR_WIDTH = 10;

/** `[####------]  40%`; an unknown progress shows an empty bar with "n/a". */
export function progressBar(progress: number | undefined, width = BAR_WIDTH): string {
  if (progress === undefined || !Number.isFinite(progress)) return `[${"-".repeat(width)}]  n/a`;
  const clamped = Math.max(0, Math.min(100, Math.round(progress)));
  // Floor: the bar is full only at 100%.
  const filled = Math.floor((clamped / 100) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(clamped).padStart(3)}%`;
}
