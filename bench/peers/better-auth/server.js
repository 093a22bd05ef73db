// Better Auth with its SCIM plugin (@better-auth/scim), on SQLite in memory (better-sqlite3 12).
// The SCIM protocol handling (routing, parsing, filtering, PATCH, paging, errors, discovery, the bearer
// check) is all the plugin's; this file only creates the tables and serves the handler on loopback.
//
// Env: PORT (default 8082), SCIM_TOKEN (default "peer-token"), and SCIM_ENTRA_COMPAT=1 to turn on the
// plugin's one Microsoft Entra option, compatibility.microsoftEntra.acceptLegacyGroupSchema (off by
// default, as the plugin ships).
// Base URL: http://127.0.0.1:$PORT/api/auth/scim/v2
//
// The token: the plugin's connections are declared in code, each with static bearer credentials
// (SCIMConnectionOptions.credentials); $SCIM_TOKEN is the one credential of the one connection.
import http from "node:http";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { scim } from "@better-auth/scim";

const PORT = Number(process.env.PORT ?? 8082);
const TOKEN = process.env.SCIM_TOKEN ?? "peer-token";
const HOST = "127.0.0.1"; // loopback only, never configurable
const BASE = `http://${HOST}:${PORT}`;

const options = {
    baseURL: BASE,
    secret: crypto.randomBytes(32).toString("hex"),
    database: new Database(":memory:"),
    telemetry: { enabled: false },
    logger: { level: "error" },
    plugins: [
        scim({
            connections: [{ id: "peer", credentials: [{ type: "bearer", id: "peer-token", token: TOKEN }] }],
            ...(process.env.SCIM_ENTRA_COMPAT === "1"
                ? { compatibility: { microsoftEntra: { acceptLegacyGroupSchema: true } } }
                : {}),
        }),
    ],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

const server = http.createServer(toNodeHandler(auth));
server.listen(PORT, HOST, () => {
    console.log(`better-auth scim peer listening on ${BASE}/api/auth/scim/v2 (pid ${process.pid})`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
