// Every failure the plugin reports goes through one type with an exit code that scripts can
// branch on, and one formatter that turns any thrown value into a message a person can act on.

import { isNeoEngineError } from "../../neoengine/index.js";

/** Exit codes (documented in --help and docs/kubectl-neo.md). */
export const EXIT = {
  OK: 0,
  /** The job ended Failed or Cancelled (run, and get -w on a single job). */
  JOB_FAILED: 1,
  /** Wrong flags, arguments or values; nothing was sent. */
  USAGE: 2,
  /** The cluster or the NeoEngine network refused or could not be reached. */
  API: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** A next step for the user, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.USAGE, hint);
}

export function apiError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.API, hint);
}

export interface FormattedError {
  text: string;
  exitCode: ExitCode;
}

/** Turns anything thrown into the lines printed on stderr and the process exit code. */
export function formatError(error: unknown): FormattedError {
  if (error instanceof CliError) {
    return { text: withHint(`error: ${error.message}`, error.hint), exitCode: error.exitCode };
  }
  if (isNeoEngineError(error)) {
    // The code first: scripts and people search for it; details carry the offending field.
    const details = error.status > 0 && error.details && Object.keys(error.details).length > 0 ? ` ${JSON.stringify(error.details)}` : "";
    const status = error.status > 0 ? ` (HTTP ${error.status})` : "";
    return {
      text: withHint(`error: NeoEngine ${error.code}${status}: ${error.message}${details}`, neoEngineHint(error.code)),
      exitCode: EXIT.API,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { text: `error: ${message}`, exitCode: EXIT.API };
}

function withHint(text: string, hint: string | undefined): string {
  return hint ? `${text}\n  hint: ${hint}` : text;
}

function neoEngineHint(code: string): string | undefined {
  switch (code) {
    case "UNAUTHORIZED":
      return "the token was refused; check --token / NEOENGINE_TOKEN or the token Secret";
    case "INSUFFICIENT_FUNDS":
      return "see `kubectl neo wallet`; lower --max-price or --timeout, or add credits";
    case "RATE_LIMITED":
    case "CLIENT_RATE_LIMITED":
      return "the token's request budget is spent for now; try again later";
    case "NETWORK_ERROR":
    case "TIMEOUT":
      return "check the NeoEngine URL (--neoengine-url / NEOENGINE_URL or the token Secret's url key)";
    default:
      return undefined;
  }
}
