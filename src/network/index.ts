// Public entry of the reference network server.
export { startNetworkServer, type NetworkServer, type NetworkServerAdmin, type NetworkServerOptions } from "./server.js";
export { createNetwork, DEFAULT_CONFIG, type Network, type NetworkAdmin, type NetworkOptions } from "./core/network.js";
export type { RateLimits } from "./core/context.js";
export type { SqlDatabase, SqlExecutor, SqlParam } from "./storage/sql.js";
export { SqliteDatabase } from "./storage/sqlite.js";
export { PostgresDatabase } from "./storage/postgres.js";
