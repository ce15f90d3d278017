/**
 * The InfluxDB-compatible write APIs, proven with the real client libraries people use:
 * `@influxdata/influxdb-client` (v2 API) and `influx` (v1 API) check the server with their
 * ping and health calls and write to a running `wrangler dev`, and a connected viewer
 * receives their points, whatever their names and time precision.
 */
import { InfluxDB as InfluxV2, Point } from "@influxdata/influxdb-client";
import { FieldType, InfluxDB as InfluxV1 } from "influx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, uniqueId } from "./api.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";
import { NodeViewer } from "./node-viewer.ts";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer();
});

afterAll(async () => {
  await server?.dispose();
});

describe("InfluxDB client libraries", () => {
  it("@influxdata/influxdb-client writes through /api/v2/write and a viewer receives the points", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-v2"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");

    const writer = new InfluxV2({ url: server.url, token: dashboard.ingestToken }).getWriteApi("any-org", dashboard.id, "ms", {
      maxRetries: 0,
    });
    const at = Date.now() - 1000;
    writer.writePoints([
      new Point("boiler").tag("site", "north").floatField("temperature", 71.25).intField("pressure", 3).timestamp(new Date(at)),
      new Point("boiler").tag("site", "south").floatField("temperature", 68.5).timestamp(new Date(at + 1)),
    ]);
    await writer.close();

    await viewer.until(() => viewer.points().length === 3, "three points");
    expect(viewer.points().sort()).toEqual(["boiler.pressure{site=north}=3", "boiler.temperature{site=north}=71.25", "boiler.temperature{site=south}=68.5"]);
    viewer.close();
  });

  it("influx (v1) writes through /write with the token as password and a viewer receives the points", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-v1"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");

    const { hostname, port } = new URL(server.url);
    const client = new InfluxV1({
      host: hostname,
      port: Number(port),
      protocol: "http",
      database: dashboard.id,
      username: "sensor",
      password: dashboard.ingestToken,
      schema: [{ measurement: "pump", fields: { rpm: FieldType.INTEGER, on: FieldType.BOOLEAN }, tags: ["unit"] }],
    });
    await client.writePoints([{ measurement: "pump", tags: { unit: "p1" }, fields: { rpm: 1450, on: true }, timestamp: new Date(Date.now() - 500) }], {
      precision: "ms",
    });

    await viewer.until(() => viewer.points().length === 2, "two points");
    expect(viewer.points().sort()).toEqual(["pump.on{unit=p1}=1", "pump.rpm{unit=p1}=1450"]);
    viewer.close();
  });

  it("@influxdata/influxdb-client's transport gets 204 from /ping with the version headers and a passing /health", async () => {
    // The client's PingAPI and HealthAPI (in its -apis package) are these two requests.
    const transport = new InfluxV2({ url: server.url, token: "any" }).transport;
    const ping: { status?: number; headers?: Record<string, unknown> } = {};
    await transport.request("/ping", null, { method: "GET" }, (headers, status) => Object.assign(ping, { headers, status }));
    expect(ping.status).toBe(204);
    expect(ping.headers).toMatchObject({ "x-influxdb-build": "Pulseboard", "x-influxdb-version": expect.stringMatching(/^2\./) });
    expect(await transport.request("/health", null, { method: "GET" })).toMatchObject({ status: "pass" });
  });

  it("influx (v1) pings the server as online; getDatabaseNames fails with the server's reason, createDatabase of the dashboard succeeds, and writes still work", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-ping"));
    const { hostname, port } = new URL(server.url);
    const client = new InfluxV1({ host: hostname, port: Number(port), protocol: "http", database: dashboard.id, username: "sensor", password: dashboard.ingestToken });
    const [host] = await client.ping(5000);
    expect(host).toMatchObject({ online: true, version: expect.stringMatching(/^2\./) });
    await expect(client.getDatabaseNames()).rejects.toThrow(/400 .*\/query .*not supported/);
    // Creating the database that is the dashboard succeeds, changing nothing; another is not found.
    await client.createDatabase(dashboard.id);
    await expect(client.createDatabase("telegraf")).rejects.toThrow(/404 .*database .*telegraf.* not found/);
    // The refusals did not take the server out of the client's pool.
    await client.writePoints([{ measurement: "after", fields: { v: 1 } }]);
  });

  it("both clients write names with spaces, commas, equals signs and accents, each arriving under its own key", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-names"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");

    const writer = new InfluxV2({ url: server.url, token: dashboard.ingestToken }).getWriteApi("any-org", dashboard.id, "ms", { maxRetries: 0 });
    writer.writePoint(new Point("disk usage").tag("mount point", "/var,log").tag("a=b", "c=d").floatField("used percent", 71.5));
    await writer.close();
    const { hostname, port } = new URL(server.url);
    const v1 = new InfluxV1({ host: hostname, port: Number(port), protocol: "http", database: dashboard.id, username: "sensor", password: dashboard.ingestToken });
    await v1.writePoints([{ measurement: "température", tags: { pièce: "salon, nord" }, fields: { valeur: 19.5 } }]);

    await viewer.until(() => viewer.points().length === 2, "two points");
    expect(viewer.points().sort()).toEqual(
      [
        `${seriesKey("disk usage.used percent", { "mount point": "/var,log", "a=b": "c=d" })}=71.5`,
        `${seriesKey("température.valeur", { pièce: "salon, nord" })}=19.5`,
      ].sort(),
    );
    viewer.close();
  });

  it("influx (v1) writes at precision h and m, and the times arrive exact to the hour and minute", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-precision"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");
    const { hostname, port } = new URL(server.url);
    const client = new InfluxV1({ host: hostname, port: Number(port), protocol: "http", database: dashboard.id, username: "sensor", password: dashboard.ingestToken });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    await client.writePoints([{ measurement: "hourly", fields: { v: 1 }, timestamp: new Date(hour + 1234) }], { precision: "h" });
    await client.writePoints([{ measurement: "minutely", fields: { v: 2 }, timestamp: new Date(hour + 60_000 + 1234) }], { precision: "m" });

    await viewer.until(() => viewer.points().length === 2, "two points");
    const times = viewer.frames.flatMap((frame) => (frame.type === "points" ? frame.series.map((series) => `${series.key}@${series.ts[0]}`) : []));
    expect(times.sort()).toEqual([`hourly.v@${hour}`, `minutely.v@${hour + 60_000}`]);
    viewer.close();
  });

  it("a wrong token is refused with InfluxDB's 401, which the client reports", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("influx-bad"));
    const writer = new InfluxV2({ url: server.url, token: "not-the-token" }).getWriteApi("any-org", dashboard.id, "ms", { maxRetries: 0 });
    writer.writePoint(new Point("x").floatField("v", 1));
    await expect(writer.close()).rejects.toMatchObject({ statusCode: 401 });
  });
});
