// A real, throwaway PostgreSQL server for tests: initdb into a temporary directory, start
// `postgres` on 127.0.0.1:<free port>, wait until it logs that it accepts connections, and stop
// it (and remove the directory) afterwards. Root cannot run postgres, so as root the server
// runs as the `postgres` user of the Debian package. A run that was killed leaves a directory
// whose owner pid is dead: the next start stops that server and removes it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const DIR_PREFIX = "neo-pg-";
const READY_LINE = "database system is ready to accept connections";
const INSTALL_HINT =
  "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on PATH. " +
  "Install the Debian package `postgresql`: apt-get install -y --no-install-recommends postgresql";

export interface PgServer {
  port: number;
  /** Data and socket directory. */
  dir: string;
  /** A URL for a database on this server (superuser `postgres`, trust auth on loopback). */
  url(database: string): string;
  /** Creates an empty database and answers its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** initdb and postgres of the newest installed major version, or from PATH. */
export function findPostgresBinaries(root = "/usr/lib/postgresql", searchPath = process.env.PATH ?? ""): { initdb: string; postgres: string } {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return { initdb: join(root, versions[0], "bin", "initdb"), postgres: join(root, versions[0], "bin", "postgres") };
  for (const dir of searchPath.split(delimiter)) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) {
      return { initdb: join(dir, "initdb"), postgres: join(dir, "postgres") };
    }
  }
  throw new Error(INSTALL_HINT);
}

const isRoot = () => process.getuid?.() === 0;

/** uid/gid of the `postgres` system user (root must hand the server to it). */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`running as root but there is no \`postgres\` user to run the server as. ${INSTALL_HINT}`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** argv that runs `cmd` as the postgres user when we are root. */
const asServerUser = (cmd: string, args: string[]): [string, string[]] => (isRoot() ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The postmaster pid of a data directory, only if that process really is its postgres. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes("postgres") && cmdline.includes(dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops servers and removes directories left by test runs that were killed. */
function cleanupStale(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
    } catch {
      continue; // not (yet) one of ours, or being created right now
    }
    if (Number.isInteger(owner) && alive(owner)) continue;
    const pid = postmasterPid(join(dir, "data"));
    if (pid !== undefined) process.kill(pid, "SIGQUIT"); // immediate shutdown; its data is disposable
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when the server logs readiness; rejects if it exits first or the deadline passes. */
function waitReady(child: ChildProcess, log: () => string, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (log().includes(READY_LINE)) done();
    };
    const onExit = (code: number | null) => done(new Error(`postgres exited (code ${code}) before it was ready:\n${log()}`));
    const timer = setTimeout(() => done(new Error(`postgres not ready within ${deadlineMs} ms:\n${log()}`)), deadlineMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    onData();
  });
}

export async function startPostgres(opts: { readyDeadlineMs?: number } = {}): Promise<PgServer> {
  const bin = findPostgresBinaries();
  const user = isRoot() ? postgresUser() : undefined;
  cleanupStale();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, "data");

  try {
    const [initCmd, initArgs] = asServerUser(bin.initdb, [
      "-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "--locale=C", "--encoding=UTF8", "--no-instructions",
    ]);
    await run(initCmd, initArgs, { cwd: dir }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`initdb failed: ${err.message}\n${err.stderr ?? ""}`);
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  // A free port can be taken between the probe and the bind: try a few.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [cmd, args] = asServerUser(bin.postgres, [
      "-D", dataDir, "-k", dir, "-p", String(port),
      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    ]);
    const child = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    // Keep draining stderr for the server's whole life (a full pipe would block it); keep the tail for errors.
    child.stderr.on("data", (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // If the worker exits without stopping us (crash, forced exit), do not leave the server behind.
    const killOnExit = () => {
      const pid = postmasterPid(dataDir);
      if (pid !== undefined) process.kill(pid, "SIGQUIT");
    };
    try {
      await waitReady(child, () => log, opts.readyDeadlineMs ?? 60_000);
    } catch (err) {
      lastError = err as Error;
      killOnExit();
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
      if (/could not bind|Address already in use/.test(log)) continue;
      break;
    }
    process.on("exit", killOnExit);

    let stopping: Promise<void> | undefined;
    const server: PgServer = {
      port,
      dir,
      url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
      createDatabase: async (name) => {
        const client = new pg.Client({ connectionString: server.url("postgres") });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name}"`);
        } finally {
          await client.end();
        }
        return server.url(name);
      },
      stop: () =>
        (stopping ??= (async () => {
          process.off("exit", killOnExit);
          const pid = postmasterPid(dataDir);
          // Fast shutdown: disconnects clients, then exits cleanly.
          if (pid !== undefined) process.kill(pid, "SIGINT");
          else if (child.exitCode === null) child.kill("SIGTERM");
          const deadline = setTimeout(() => {
            const p = postmasterPid(dataDir);
            if (p !== undefined) process.kill(p, "SIGKILL");
            child.kill("SIGKILL");
          }, 20_000);
          await exited;
          clearTimeout(deadline);
          rmSync(dir, { recursive: true, force: true });
        })()),
    };
    return server;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error("postgres did not start");
}
