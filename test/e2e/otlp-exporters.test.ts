/**
 * OpenTelemetry metrics over OTLP/HTTP, proven with the OpenTelemetry JS SDK itself: a
 * `MeterProvider` with a `PeriodicExportingMetricReader` exports through the SDK's own OTLP
 * exporters (`@opentelemetry/exporter-metrics-otlp-http`, JSON, and
 * `@opentelemetry/exporter-metrics-otlp-proto`, protobuf) to a running `wrangler dev`; a
 * connected viewer receives the points, and the exporter reports success.
 */
import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { OTLPMetricExporter as OTLPJsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OTLPProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDashboard, uniqueId } from "./api.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";
import { NodeViewer } from "./node-viewer.ts";

type ExportResult = Parameters<Parameters<PushMetricExporter["export"]>[1]>[0];
/** `ExportResultCode.SUCCESS` of `@opentelemetry/core`. */
const SUCCESS = 0;
/** `ExportResultCode.FAILED`. */
const FAILED = 1;

let server: DevServer;

/** What the SDK logs through its diagnostic logger: the exporters report partial success there. */
const warnings: string[] = [];
const logger: DiagLogger = {
  error: (...args) => warnings.push(args.map(String).join(" ")),
  warn: (...args) => warnings.push(args.map(String).join(" ")),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

beforeAll(async () => {
  diag.setLogger(logger, DiagLogLevel.WARN);
  server = await startDevServer();
});

afterAll(async () => {
  diag.disable();
  await server?.dispose();
});

beforeEach(() => {
  warnings.length = 0;
});

/** An exporter that remembers every result it reports to the SDK. */
class RecordingExporter implements PushMetricExporter {
  readonly results: ExportResult[] = [];
  private readonly inner: PushMetricExporter;
  constructor(inner: PushMetricExporter) {
    this.inner = inner;
  }
  export(metrics: Parameters<PushMetricExporter["export"]>[0], done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  selectAggregationTemporality(...args: Parameters<NonNullable<PushMetricExporter["selectAggregationTemporality"]>>) {
    return this.inner.selectAggregationTemporality!(...args);
  }
}

/** An exporter made while `env` is set, as the SDK reads its configuration from the environment (unset again after). */
function configuredBy(env: Record<string, string>, make: () => PushMetricExporter): RecordingExporter {
  Object.assign(process.env, env);
  try {
    return new RecordingExporter(make());
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
  }
}

/** A meter provider exporting through `exporter`, its resource as the SDK makes it plus `service.name`. */
function providerFor(exporter: RecordingExporter): MeterProvider {
  return new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "boiler-room", "process.pid": process.pid }),
    // A long interval: the test exports with forceFlush.
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
  });
}

const exporters = {
  json: (url: string, token: string) => new OTLPJsonExporter({ url, headers: { Authorization: `Bearer ${token}` } }),
  protobuf: (url: string, token: string) => new OTLPProtoExporter({ url, headers: { Authorization: `Bearer ${token}` } }),
};

describe.each(Object.entries(exporters))("the SDK's OTLP exporter (%s)", (encoding, makeExporter) => {
  it("exports a gauge, a counter and a histogram, and a viewer receives them with their names, tags and values", async () => {
    const dashboard = await createDashboard(server.url, uniqueId(`otlp-${encoding}`));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");

    const exporter = new RecordingExporter(makeExporter(`${server.url}/api/dashboards/${dashboard.id}/otlp/v1/metrics`, dashboard.ingestToken));
    const provider = providerFor(exporter);
    const meter = provider.getMeter("boiler");
    meter.createGauge("boiler.temperature", { unit: "Cel" }).record(71.25, { sensor: "inlet" });
    const requests = meter.createCounter("boiler.requests");
    requests.add(3, { route: "/status" });
    requests.add(2, { route: "/status" });
    const latency = meter.createHistogram("boiler.latency", { unit: "ms", advice: { explicitBucketBoundaries: [10, 100] } });
    for (const ms of [4, 40, 400]) latency.record(ms);
    await provider.forceFlush();

    expect(exporter.results.map((result) => result.code)).toEqual([SUCCESS]);
    expect(warnings).toEqual([]);
    const tags = "service.name=boiler-room";
    const expected = [
      `boiler.temperature{sensor=inlet,${tags}}=71.25`,
      `boiler.requests{route=/status,${tags}}=5`,
      `boiler.latency_count{${tags}}=3`,
      `boiler.latency_sum{${tags}}=444`,
      `boiler.latency_min{${tags}}=4`,
      `boiler.latency_max{${tags}}=400`,
      `boiler.latency_bucket{le=10,${tags}}=1`,
      `boiler.latency_bucket{le=100,${tags}}=2`,
      `boiler.latency_bucket{le=+Inf,${tags}}=3`,
    ];
    await viewer.until(() => viewer.points().length >= expected.length, `${expected.length} points`);
    expect(viewer.points().sort()).toEqual(expected.sort());
    // Each point at the time the SDK collected it (time_unix_nano), a moment ago.
    const times = viewer.frames.flatMap((frame) => (frame.type === "points" ? frame.series.flatMap((series) => series.ts) : []));
    for (const ts of times) expect(Math.abs(Date.now() - ts)).toBeLessThan(60_000);

    // A cumulative counter is stored as sent: the next export carries the running total.
    requests.add(1, { route: "/status" });
    await provider.forceFlush();
    await viewer.until(() => viewer.points().includes(`boiler.requests{route=/status,${tags}}=6`), "the counter's running total");
    expect(exporter.results.every((result) => result.code === SUCCESS)).toBe(true);
    await provider.shutdown();
    viewer.close();
  });

  it("reports a point the dashboard rejects as a partial success, storing the others", async () => {
    const dashboard = await createDashboard(server.url, uniqueId(`otlp-partial-${encoding}`));
    const exporter = new RecordingExporter(makeExporter(`${server.url}/api/dashboards/${dashboard.id}/otlp/v1/metrics`, dashboard.ingestToken));
    const provider = providerFor(exporter);
    const gauge = provider.getMeter("m").createGauge("level");
    gauge.record(1, { tank: "a" });
    gauge.record(2, { tank: "x".repeat(300) }); // over the 200 characters a tag value may have
    await provider.forceFlush();
    expect(exporter.results.map((result) => result.code)).toEqual([SUCCESS]);
    await provider.shutdown();
    const partial = warnings.find((warning) => warning.includes("Partial Success"));
    expect(partial).toMatch(/"rejectedDataPoints":"?1"?/);
    expect(partial).toContain("tag values are at most 200 characters");
  });

  it("reports a failure for a wrong token, which the exporter does not retry", async () => {
    const dashboard = await createDashboard(server.url, uniqueId(`otlp-denied-${encoding}`));
    const exporter = new RecordingExporter(makeExporter(`${server.url}/api/dashboards/${dashboard.id}/otlp/v1/metrics`, "pb_not-the-token"));
    const provider = providerFor(exporter);
    provider.getMeter("m").createCounter("c").add(1);
    await provider.forceFlush();
    // One attempt, failed: a 403 is not retried.
    expect(exporter.results.map((result) => result.code)).toEqual([FAILED]);
    expect(exporter.results[0]!.error).toMatchObject({ code: 403 });
    await provider.shutdown();
  });
});

describe("configured by the environment, as the README says", () => {
  it("OTEL_EXPORTER_OTLP_ENDPOINT (the dashboard's /otlp base) and OTEL_EXPORTER_OTLP_HEADERS reach the dashboard", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("otlp-env"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");
    const exporter = configuredBy(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${server.url}/api/dashboards/${dashboard.id}/otlp`,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${dashboard.ingestToken}`,
        OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
      },
      () => new OTLPProtoExporter(),
    );
    const provider = providerFor(exporter);
    provider.getMeter("m").createUpDownCounter("queue.depth").add(7);
    await provider.forceFlush();
    expect(exporter.results.map((result) => result.code)).toEqual([SUCCESS]);
    await provider.shutdown();
    await viewer.until(() => viewer.points().length === 1, "one point");
    expect(viewer.points()).toEqual(["queue.depth{service.name=boiler-room}=7"]);
    viewer.close();
  });

  it("POST /v1/metrics with the dashboard in X-Pulseboard-Dashboard, for a base URL that is the server itself", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("otlp-root"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");
    const exporter = configuredBy(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${dashboard.ingestToken},X-Pulseboard-Dashboard=${dashboard.id}`,
      },
      () => new OTLPJsonExporter(),
    );
    const provider = providerFor(exporter);
    provider.getMeter("m").createGauge("fill").record(0.5);
    await provider.forceFlush();
    expect(exporter.results.map((result) => result.code)).toEqual([SUCCESS]);
    // Shutting down exports once more: the gauge again, at the time of that collection.
    await provider.shutdown();
    expect(exporter.results.every((result) => result.code === SUCCESS)).toBe(true);
    await viewer.until(() => viewer.points().length === exporter.results.length, "a point per export");
    expect(new Set(viewer.points())).toEqual(new Set(["fill{service.name=boiler-room}=0.5"]));
    viewer.close();
  });
});
