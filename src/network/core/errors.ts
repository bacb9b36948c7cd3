import { ERROR_HTTP_STATUS, type ErrorCode } from "../../neoengine/wire.js";

/** An error the API answers in the seed's envelope: {error: {code, message, details}}. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> | null = null,
    status?: number,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status ?? ERROR_HTTP_STATUS[code];
  }
}

export const invalid = (field: string, value: unknown, message: string): ApiError =>
  new ApiError("INVALID_PARAMETERS", message, { field, value: value === undefined ? null : value });
export const notFound = (what: string, id: string): ApiError =>
  new ApiError("NOT_FOUND", `${what} ${id} not found`, { field: "id", value: id });
export const conflict = (message: string, details: Record<string, unknown> | null = null): ApiError =>
  new ApiError("CONFLICT", message, details);
