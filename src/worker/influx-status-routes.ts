import { Hono } from "hono";
import type { AppEnv } from "./hono-env";

/**
 * What InfluxDB clients and health checks ask before (or instead of) writing: `/ping` (1.x and
 * 2.x: 204 with the server's build and version in headers; `?verbose=true` is 200 with a body,
 * for load balancers that want one) and `/health` (2.x's JSON check). None needs a token, as
 * on InfluxDB. `/query` is in influx-routes.ts.
 */

/**
 * The version reported: the InfluxDB write API whose behaviour Pulseboard follows (so that a
 * client choosing between the 1.x and 2.x APIs by major version picks one that works), marked
 * as not being InfluxDB itself.
 */
export const INFLUXDB_COMPATIBLE_VERSION = "2.7.0-pulseboard";
/** What `X-Influxdb-Build` says (InfluxDB says `OSS`, `ENT` or `cloud2`). */
export const INFLUXDB_BUILD = "Pulseboard";

export const IDENTITY = { "X-Influxdb-Build": INFLUXDB_BUILD, "X-Influxdb-Version": INFLUXDB_COMPATIBLE_VERSION };

export const influxStatusRoutes = new Hono<AppEnv>();

influxStatusRoutes.on(["GET", "HEAD"], "/ping", (c) => {
  if (c.req.query("verbose") === "true") return c.json({ version: INFLUXDB_COMPATIBLE_VERSION }, 200, IDENTITY);
  return c.body(null, 204, IDENTITY);
});

influxStatusRoutes.get("/health", (c) =>
  c.json({ name: "pulseboard", message: "ready for writes", status: "pass", checks: [], version: INFLUXDB_COMPATIBLE_VERSION }, 200, IDENTITY),
);
