// Pure helpers of the PostgreSQL driver (no connection needed, unit-tested on their own).

/**
 * Rewrites `?` placeholders to `$1..$n`, leaving alone every `?` inside a string literal
 * ('...', E'...'), a quoted identifier ("..."), a dollar-quoted string ($tag$...$tag$) or a
 * comment (-- and nested /* *\/). The core SQL is written once with `?` for both dialects.
 */
export function toPostgresPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  const len = sql.length;
  while (i < len) {
    const c = sql[i] as string;
    if (c === "?") {
      out += `$${++n}`;
      i++;
      continue;
    }
    let end = i + 1;
    if (c === "'") {
      // E'...' strings also end at ' but a backslash escapes the next character.
      const prev = i > 0 ? (sql[i - 1] as string) : "";
      const backslashEscapes = (prev === "E" || prev === "e") && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2] as string));
      end = skipQuoted(sql, i, "'", backslashEscapes);
    } else if (c === '"') {
      end = skipQuoted(sql, i, '"', false);
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      end = nl === -1 ? len : nl + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      end = skipBlockComment(sql, i);
    } else if (c === "$") {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      // `$1` (a parameter already) is not a tag; `$$` and `$name$` open a dollar quote.
      if (tag && (i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1] as string))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close === -1 ? len : close + tag[0].length;
      }
    }
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === "\\") {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // doubled quote inside the literal
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

// PostgreSQL TEXT cannot hold U+0000, SQLite can (a container's log line may contain one).
// Strings are stored escaped, reversibly: ESC → ESC ESC and NUL → ESC "0", and unescaped when
// read, so every string round-trips exactly as it does on SQLite. ESC is U+FFFF, a
// noncharacter that real text practically never contains (and is still handled if it does).
const ESC = "\uFFFF";
const NUL = "\u0000";

export function escapeText(s: string): string {
  if (!s.includes(NUL) && !s.includes(ESC)) return s;
  let out = "";
  for (const ch of s) out += ch === ESC ? ESC + ESC : ch === NUL ? `${ESC}0` : ch;
  return out;
}

export function unescapeText(s: string): string {
  if (!s.includes(ESC)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === ESC && i + 1 < s.length) {
      out += s[i + 1] === "0" ? NUL : s[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/**
 * int8 (COUNT, BIGINT columns, SUM of integers) → JS number, exactly as better-sqlite3 returns
 * SQLite integers (lossy beyond 2^53, like there). The core keeps money and times far below
 * 2^53: credit grants are capped so micro-credit balances stay safe integers.
 */
export function parseInt8(text: string): number {
  return Number(text);
}

/** numeric (SUM of BIGINT, AVG) → JS number, as SQLite answers such aggregates. */
export function parseNumeric(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n)) throw new RangeError(`numeric ${text} from PostgreSQL is not a number`);
  return n;
}

/** A connection string without its password, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable database URL>";
  }
}
