// The PostgreSQL driver's pure helpers (no server needed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeText,
  parseInt8,
  parseNumeric,
  redactDatabaseUrl,
  toPostgresPlaceholders,
  unescapeText,
} from "../../../src/network/storage/postgres-sql.js";

describe("toPostgresPlaceholders", () => {
  it("numbers every ? in order", () => {
    expect(toPostgresPlaceholders("SELECT * FROM jobs WHERE account_id = ? AND status IN (?, ?) ORDER BY seq DESC LIMIT ?")).toBe(
      "SELECT * FROM jobs WHERE account_id = $1 AND status IN ($2, $3) ORDER BY seq DESC LIMIT $4",
    );
    expect(toPostgresPlaceholders("SELECT 1")).toBe("SELECT 1");
  });

  it("leaves ? inside string literals, quoted identifiers, comments and dollar quotes", () => {
    expect(toPostgresPlaceholders("SELECT '?', 'it''s ?', ? FROM t WHERE \"we?ird\" = ?")).toBe(
      "SELECT '?', 'it''s ?', $1 FROM t WHERE \"we?ird\" = $2",
    );
    expect(toPostgresPlaceholders("SELECT E'a\\'?', ?")).toBe("SELECT E'a\\'?', $1");
    // a plain '' string: the backslash does not escape
    expect(toPostgresPlaceholders("SELECT 'a\\', ?")).toBe("SELECT 'a\\', $1");
    expect(toPostgresPlaceholders("SELECT ? -- why?\n, ? /* a ? /* nested ? */ still ? */ , ?")).toBe(
      "SELECT $1 -- why?\n, $2 /* a ? /* nested ? */ still ? */ , $3",
    );
    expect(toPostgresPlaceholders("SELECT $$ ? $$, $tag$ ' ? $tag$, ?")).toBe("SELECT $$ ? $$, $tag$ ' ? $tag$, $1");
  });

  it("the SQL of the schema's CASE/COALESCE statements", () => {
    expect(toPostgresPlaceholders("UPDATE jobs SET progress = CASE WHEN ? = 'succeeded' THEN 100 ELSE progress END WHERE id = ?")).toBe(
      "UPDATE jobs SET progress = CASE WHEN $1 = 'succeeded' THEN 100 ELSE progress END WHERE id = $2",
    );
  });
});

describe("NUL-safe text escaping", () => {
  it("round-trips every string and leaves ordinary text untouched", () => {
    expect(escapeText("plain text ✓")).toBe("plain text ✓");
    expect(escapeText("a\u0000b")).not.toContain("\u0000");
    expect(unescapeText(escapeText("a\u0000b\uFFFF0c\uFFFF"))).toBe("a\u0000b\uFFFF0c\uFFFF");
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "0", "\u0000", "\uFFFF", "é", "\n") }), (s) => {
        const e = escapeText(s);
        expect(e.includes("\u0000")).toBe(false);
        expect(unescapeText(e)).toBe(s);
      }),
    );
  });

  it("is injective: different strings never store equal (equality in WHERE stays exact)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("0", "\u0000", "\uFFFF") }), fc.string({ unit: fc.constantFrom("0", "\u0000", "\uFFFF") }), (a, b) => {
        if (a !== b) expect(escapeText(a)).not.toBe(escapeText(b));
      }),
    );
  });
});

describe("integer parsing", () => {
  it("int8 and numeric become numbers, beyond 2^53 as lossily as better-sqlite3 answers SQLite integers", () => {
    expect(parseInt8("0")).toBe(0);
    expect(parseInt8("-42")).toBe(-42);
    expect(parseInt8(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseInt8("9007199254740993")).toBe(9007199254740992);
    expect(parseNumeric("123456789012")).toBe(123456789012);
    expect(parseNumeric("2.5")).toBe(2.5);
    expect(() => parseNumeric("NaN")).toThrow(RangeError);
  });
});

describe("redactDatabaseUrl", () => {
  it("hides the password", () => {
    expect(redactDatabaseUrl("postgres://neo:s3cret@db:5432/neo")).toBe("postgres://neo:***@db:5432/neo");
    expect(redactDatabaseUrl("postgres://db/neo")).toBe("postgres://db/neo");
    expect(redactDatabaseUrl("::not a url::")).not.toContain("not a url");
  });
});
