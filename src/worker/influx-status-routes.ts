import { Hono } from "hono";
import type { AppEnv } from "./hono-env";

/**
 * What InfluxDB clients and health checks ask before (or instead of) writing: `/ping` (1.x and
 * 2.x: 204 with the server's build and version in headers; `?verbose=true` is 200 with a body,
 * for load balancers that want one) and `/health` (2.x's JSON check). None needs a token, as
 * on InfluxDB. `/query` (1.x's InfluxQL endpoint, which some clients call to list or create
 * databases) is answered with a plain refusal: Pulseboard takes writes, and dashboards are
 * created with its own API. The refusal is a 400, as InfluxDB answers a query it cannot run,
 * not a 501: clients read a 5xx as the server being down (the `influx` package then takes
 * the host out of its pool, so its writes would fail too), and a 4xx's body as the reason.
 */

/**
 * The version reported: the InfluxDB write API whose behaviour Pulseboard follows (so that a
 * client choosing between the 1.x and 2.x APIs by major version picks one that works), marked
 * as not being InfluxDB itself.
 */
export const INFLUXDB_COMPATIBLE_VERSION = "2.7.0-pulseboard";
/** What `X-Influxdb-Build` says (InfluxDB says `OSS`, `ENT` or `cloud2`). */
export const INFLUXDB_BUILD = "Pulseboard";

const IDENTITY = { "X-Influxdb-Build": INFLUXDB_BUILD, "X-Influxdb-Version": INFLUXDB_COMPATIBLE_VERSION };

export const influxStatusRoutes = new Hono<AppEnv>();

influxStatusRoutes.on(["GET", "HEAD"], "/ping", (c) => {
  if (c.req.query("verbose") === "true") return c.json({ version: INFLUXDB_COMPATIBLE_VERSION }, 200, IDENTITY);
  return c.body(null, 204, IDENTITY);
});

influxStatusRoutes.get("/health", (c) =>
  c.json({ name: "pulseboard", message: "ready for writes", status: "pass", checks: [], version: INFLUXDB_COMPATIBLE_VERSION }, 200, IDENTITY),
);

influxStatusRoutes.on(["GET", "POST"], "/query", (c) =>
  c.json(
    {
      error:
        "Pulseboard takes writes only: /query (InfluxQL) is not supported. Create a dashboard with POST /api/dashboards and write to it with /write?db=<dashboard id>",
    },
    400,
    { ...IDENTITY, "X-Influxdb-Error": "/query is not supported: Pulseboard takes writes only" },
  ),
);
