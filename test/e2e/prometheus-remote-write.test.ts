/**
 * Prometheus remote write, proven with a real Prometheus (Debian's `prometheus` package, or
 * `PROMETHEUS_PATH`): it scrapes itself every second and remote-writes to a running
 * `wrangler dev`, as the README's configuration says; a connected viewer receives its
 * samples with their labels as tags, history holds them, and Prometheus's own counters show
 * that none of its samples or metadata failed (every answer was a 2xx, NaN quantiles and
 * metadata-only requests included) and none was retried.
 *
 * Missing Prometheus: on CI (`CI=true`) this suite fails saying so (`.ci/run` installs it);
 * elsewhere it is skipped with a loud warning.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboard, uniqueId } from "./api.ts";
import { freePort, startDevServer, type DevServer } from "./dev-server.ts";
import { NodeViewer } from "./node-viewer.ts";

const prometheusPath = process.env.PROMETHEUS_PATH ?? "/usr/bin/prometheus";
const found = existsSync(prometheusPath);
const skip = !found && process.env.CI !== "true";

if (skip) {
  process.stderr.write(
    [
      "",
      "!".repeat(78),
      `!! Prometheus not found at ${prometheusPath}: SKIPPING the Prometheus remote-write test.`,
      "!! Install Debian's prometheus package or set PROMETHEUS_PATH to a Prometheus binary.",
      "!! (With CI=true a missing Prometheus fails the suite instead.)",
      "!".repeat(78),
      "",
    ].join("\n"),
  );
}

/** How long Prometheus may take to start, replay its (empty) WAL, scrape and send: about 5 s here. */
const FIRST_SAMPLES_MS = 60_000;

let server: DevServer;
let prometheus: ChildProcess | undefined;
let prometheusOutput = "";
let workDir: string | undefined;

/** Ends Prometheus: SIGTERM, then SIGKILL if it has not exited within 10 s. */
async function stopPrometheus(): Promise<void> {
  const child = prometheus;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
  if (!stopped) {
    child.kill("SIGKILL");
    await exited;
  }
}

process.once("exit", () => prometheus?.kill("SIGKILL"));

/** Sums every line of metric `name` in Prometheus's own /metrics; NaN when it has none (a misspelt name). */
async function prometheusCounter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = Number.NaN;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum = (Number.isNaN(sum) ? 0 : sum) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. Prometheus said:\n${prometheusOutput.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(skip)("Prometheus remote write with a real Prometheus", () => {
  beforeAll(async () => {
    if (!found) throw new Error(`Prometheus not found at ${prometheusPath}: this test cannot run on CI without it; install the prometheus package (.ci/run does) or set PROMETHEUS_PATH.`);
    server = await startDevServer();
  });

  afterAll(async () => {
    await stopPrometheus();
    await server?.dispose();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("sends its self-scrape; a viewer receives up and prometheus_build_info with their labels, history holds them, and nothing failed", async () => {
    const dashboard = await createDashboard(server.url, uniqueId("prometheus"));
    const viewer = await NodeViewer.open(server.url, dashboard.id);
    await viewer.until(() => viewer.frames.some((frame) => frame.type === "snapshot"), "the snapshot");

    const port = await freePort();
    workDir = await mkdtemp(join(tmpdir(), "pulseboard-prometheus-"));
    const config = join(workDir, "prometheus.yml");
    // The README's remote_write, with the test's server and dashboard; metadata every 2 s
    // (default 1 min) so that metadata-only requests are part of the test.
    await writeFile(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: prometheus",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${port}"]`,
        "remote_write:",
        `  - url: "${server.url}/api/v1/write?dashboard=${dashboard.id}"`,
        "    authorization:",
        `      credentials: "${dashboard.ingestToken}"`,
        "    metadata_config:",
        "      send_interval: 2s",
        "",
      ].join("\n"),
    );
    prometheus = spawn(prometheusPath, [`--config.file=${config}`, `--storage.tsdb.path=${join(workDir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      prometheusOutput = (prometheusOutput + chunk.toString()).slice(-20_000);
    };
    prometheus.stdout?.on("data", keep);
    prometheus.stderr?.on("data", keep);

    const instance = `127.0.0.1:${port}`;
    const up = `up{instance=${instance},job=prometheus}`;
    const received = () => new Set(viewer.frames.flatMap((frame) => (frame.type === "points" ? frame.series.map((series) => series.key) : [])));
    const buildInfo = () => [...received()].find((key) => key.startsWith("prometheus_build_info{"));
    await eventually(async () => received().has(up) && buildInfo() !== undefined, "up and prometheus_build_info at the viewer", FIRST_SAMPLES_MS);

    expect(viewer.points()).toContain(`${up}=1`);
    // Every label but __name__ is a tag, sorted in the key; the build's own values included.
    expect(buildInfo()).toMatch(new RegExp(`^prometheus_build_info\\{branch=[^,]*,goarch=[^,]+,goos=linux,goversion=go[^,]+,instance=${instance.replaceAll(".", "\\.")},job=prometheus,revision=[^,]*,version=[^,}]+\\}$`));
    // A self-scrape is hundreds of series; they arrive too.
    await eventually(async () => received().size > 100, "more than 100 series at the viewer", 30_000);

    // History holds them, with their tags.
    const history = await fetch(`${server.url}/api/dashboards/${dashboard.id}/series?names=up,prometheus_build_info`);
    expect(history.status).toBe(200);
    const { series } = (await history.json()) as { series: { key: string; name: string; tags: Record<string, string>; count: number[] }[] };
    const stored = series.find((s) => s.key === up);
    expect(stored).toMatchObject({ name: "up", tags: { instance, job: "prometheus" } });
    expect(stored!.count.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(series.find((s) => s.name === "prometheus_build_info")?.tags).toMatchObject({ goos: "linux", instance, job: "prometheus" });

    // Prometheus's view: metadata sent too, nothing failed, nothing retried.
    await eventually(async () => (await prometheusCounter(port, "prometheus_remote_storage_metadata_total")) > 0, "a metadata request", 30_000);
    expect(await prometheusCounter(port, "prometheus_remote_storage_samples_total")).toBeGreaterThan(0);
    expect(await prometheusCounter(port, "prometheus_remote_storage_samples_failed_total")).toBe(0);
    expect(await prometheusCounter(port, "prometheus_remote_storage_samples_retried_total")).toBe(0);
    expect(await prometheusCounter(port, "prometheus_remote_storage_metadata_failed_total")).toBe(0);
    expect(prometheusOutput).not.toMatch(/level=(error|warn).*component=remote|component=remote.*level=(error|warn)/);
    viewer.close();
  });
});
