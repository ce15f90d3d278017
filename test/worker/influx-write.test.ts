import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { MAX_HEADER_VALUE_LENGTH } from "../../src/worker/header-value";
import { BASE, createDashboard } from "./api";
import { storedPoints } from "./stored-points";
import { Viewer } from "./viewer";

type Row = { name: string; tags: string; ts: number; value: number };

async function stored(id: string): Promise<Row[]> {
  return (await storedPoints(id)).map(({ name, tags, ts, value }) => ({ name, tags, ts, value }));
}

function write(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8", ...headers }, body });
}

const T = 1_764_115_200_000; // a fixed millisecond time, within the accepted window below
const now = () => Math.floor(Date.now() / 1000) * 1000;

describe("line protocol on the native ingest route", () => {
  it("turns every numeric field into the series measurement.field with the line's tags", async () => {
    const { id, token } = await createDashboard();
    const ts = now() - 5000;
    const body = `# a comment\r\ncpu,host=a,region=eu usage_user=12.5,usage_system=3i,up=true ${ts}000000\r\n\nmem,host=a used=42u ${ts}000000\n`;
    const response = await write(`/api/dashboards/${id}/metrics`, body, { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 4, seq: { from: 1, to: 4 } });
    expect(await stored(id)).toEqual([
      { name: "cpu.usage_user", tags: '{"host":"a","region":"eu"}', ts, value: 12.5 },
      { name: "cpu.usage_system", tags: '{"host":"a","region":"eu"}', ts, value: 3 },
      { name: "cpu.up", tags: '{"host":"a","region":"eu"}', ts, value: 1 },
      { name: "mem.used", tags: '{"host":"a"}', ts, value: 42 },
    ]);
  });

  it("reads times in the precision the query names, and stamps lines without a time with now at that precision", async () => {
    const { id, token } = await createDashboard();
    const ts = now() - 60_000;
    const before = Date.now();
    const response = await write(`/api/dashboards/${id}/metrics?precision=s`, `a v=1 ${ts / 1000}\nb v=2`, { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    const [timed, untimed] = await stored(id);
    expect(timed!.ts).toBe(ts);
    // As InfluxDB does, the server's time is truncated to the request's precision.
    expect(untimed!.ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(untimed!.ts % 1000).toBe(0);
  });

  it("stores the good lines, names each bad line by line number (422), and takes string fields without storing them", async () => {
    const { id, token } = await createDashboard();
    const body = ["ok v=1", "broken line here", 'ok,n=2 note="hello",v=2', "ok v=3 notatime"].join("\n");
    const response = await write(`/api/dashboards/${id}/metrics`, body, { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(422);
    expect(response.headers.get("X-Pulseboard-Ignored-Fields")).toBe("1");
    const { error } = await response.json<{ error: { accepted: number; ignored: number; rejected: { line: number; field?: string; message: string }[] } }>();
    expect(error.accepted).toBe(2);
    expect(error.ignored).toBe(1);
    expect(error.rejected.map((r) => [r.line, r.field ?? null])).toEqual([
      [2, null],
      [4, null],
    ]);
    expect((await stored(id)).map((row) => row.value)).toEqual([1, 2]);
  });

  it("refuses an unknown precision with 400 naming it", async () => {
    const { id, token } = await createDashboard();
    const response = await write(`/api/dashboards/${id}/metrics?precision=minutes`, "a v=1", { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_parameter", field: "precision" } });
  });
});

describe("the InfluxDB v2 write API", () => {
  it("answers 204 and stores, and a connected viewer receives the points", async () => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    const ts = now() - 1000;
    const response = await write(`/api/v2/write?org=any&bucket=${id}&precision=ms`, `weather,station=x temp=21.5 ${ts}`, { Authorization: `Token ${token}` });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await viewer.nth("points")).toMatchObject({ series: [{ key: "weather.temp{station=x}", ts: [ts], values: [21.5] }] });
    viewer.close();
  });

  it.each([
    ["no token", {}, `bucket=ID`, 401, "unauthorized"],
    ["a wrong token", { Authorization: "Token nope" }, `bucket=ID`, 401, "unauthorized"],
    ["no bucket", { Authorization: "Token TOKEN" }, ``, 400, "invalid"],
    ["an unknown bucket", { Authorization: "Token TOKEN" }, `bucket=no-such-bucket`, 404, "not found"],
    ["a bad precision", { Authorization: "Token TOKEN" }, `bucket=ID&precision=m`, 400, "invalid"],
  ])("answers %s in InfluxDB's shape", async (_what, headers, query, status, code) => {
    const { id, token } = await createDashboard();
    const fill = (text: string) => text.replace("ID", id).replace("TOKEN", token);
    const response = await write(`/api/v2/write?${fill(query)}`, "a v=1", Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, fill(v)])));
    expect(response.status).toBe(status);
    const body = await response.json<{ code: string; message: string }>();
    expect(body.code).toBe(code);
    expect(body.message.length).toBeGreaterThan(5);
  });

  it("answers Telegraf's ordinary output, string fields mixed in, with 204, storing every numeric field and counting the strings", async () => {
    const { id, token } = await createDashboard();
    const ts = now() - 5000;
    const body = [
      `system,host=a load1=0.42,n_cpus=4i,uptime_format="3 days,  4:12" ${ts}000000`,
      `docker_container_status,host=a,container=web state="running",exitcode=0i,restart_count=2i ${ts}000000`,
      `docker_container_health,host=a,container=web health_status="healthy" ${ts}000000`,
    ].join("\n");
    const response = await write(`/api/v2/write?bucket=${id}&precision=ns`, body, { Authorization: `Token ${token}` });
    expect(response.status).toBe(204);
    expect(response.headers.get("X-Pulseboard-Ignored-Fields")).toBe("3");
    expect((await stored(id)).map((row) => [row.name, row.value])).toEqual([
      ["system.load1", 0.42],
      ["system.n_cpus", 4],
      ["docker_container_status.exitcode", 0],
      ["docker_container_status.restart_count", 2],
    ]);
    // A write of nothing but string fields stores nothing and is not an error either.
    const strings = await write(`/write?db=${id}`, `docker_container_health,host=a health_status="healthy"`, { Authorization: `Token ${token}` });
    expect(strings.status).toBe(204);
    expect(strings.headers.get("X-Pulseboard-Ignored-Fields")).toBe("1");
    expect(await stored(id)).toHaveLength(4);
  });

  it("answers a partial write with 400 naming the first bad line, having stored the good ones", async () => {
    const { id, token } = await createDashboard();
    const response = await write(`/api/v2/write?bucket=${id}`, "a v=1\nthis is wrong\nb v=2", { Authorization: `Token ${token}` });
    expect(response.status).toBe(400);
    const body = await response.json<{ code: string; line: number; message: string }>();
    expect(body).toMatchObject({ code: "invalid", line: 2 });
    expect(body.message).toMatch(/^partial write: 1 of 3 points rejected, 2 written; first: line 2: column 8: expected "=" after field key "is"/);
    expect(body.message).not.toMatch(/line 2.*line 2/);
    expect((await stored(id)).map((row) => row.value)).toEqual([1, 2]);
  });

  it("answers a write whose every line is bad with 400 saying nothing was written", async () => {
    const { id, token } = await createDashboard();
    const response = await write(`/api/v2/write?bucket=${id}`, "a v=1 notatime\nthis is wrong", { Authorization: `Token ${token}` });
    expect(response.status).toBe(400);
    const body = await response.json<{ code: string; line: number; message: string }>();
    expect(body).toMatchObject({ code: "invalid", line: 1 });
    expect(body.message).toMatch(/^nothing written: all 2 points were rejected; first: line 1: column 7: invalid timestamp/);
    expect(body.message).not.toContain("partial");
    expect(await stored(id)).toEqual([]);
  });

  it("answers a body over the limit with 413", async () => {
    const { id, token } = await createDashboard();
    const response = await write(`/api/v2/write?bucket=${id}`, "a v=1\n".repeat(limits.maxBodyBytes / 6 + 10), { Authorization: `Token ${token}` });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "request too large" });
  });
});

describe("the InfluxDB v1 write API", () => {
  it("takes the token as p=, or as the basic-auth password, and answers 204", async () => {
    const { id, token } = await createDashboard();
    expect((await write(`/write?db=${id}&u=sensor&p=${encodeURIComponent(token)}&precision=s`, `a v=1 ${now() / 1000}`)).status).toBe(204);
    expect((await write(`/write?db=${id}`, "a v=2", { Authorization: `Basic ${btoa(`sensor:${token}`)}` })).status).toBe(204);
    expect((await stored(id)).map((row) => row.value)).toEqual([1, 2]);
  });

  it.each([
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
    ["u", 0.001],
    ["µs", 0.001],
    ["n", 0.000001],
  ])("reads times at precision=%s", async (precision, msPerUnit) => {
    const { id, token } = await createDashboard();
    // A time that is whole in every unit: the last full hour.
    const ts = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const count = BigInt(ts) * 1_000_000n / BigInt(Math.round(msPerUnit * 1_000_000));
    const response = await write(`/write?db=${id}&p=${encodeURIComponent(token)}&precision=${encodeURIComponent(precision)}`, `a v=1 ${count}`);
    expect(response.status).toBe(204);
    expect((await stored(id)).map((row) => row.ts)).toEqual([ts]);
  });

  it("stamps a line without a time with now, truncated to the hour at precision=h", async () => {
    const { id, token } = await createDashboard();
    const before = Date.now();
    expect((await write(`/write?db=${id}&p=${encodeURIComponent(token)}&precision=h`, "a v=1")).status).toBe(204);
    const [row] = await stored(id);
    expect(row!.ts % 3_600_000).toBe(0);
    expect(row!.ts).toBeGreaterThan(before - 3_600_000);
  });

  it("refuses an unknown precision naming the ASCII spellings, in a header of ASCII only", async () => {
    const { id, token } = await createDashboard();
    const response = await write(`/write?db=${id}&p=${encodeURIComponent(token)}&precision=d`, "a v=1");
    expect(response.status).toBe(400);
    const header = response.headers.get("X-Influxdb-Error")!;
    expect(header).toBe('precision must be one of n, ns, u, us, ms, s, m, h, not "d"');
    expect((await response.json<{ error: string }>()).error).toBe(header);
  });

  it("answers errors as {error}", async () => {
    const { id } = await createDashboard();
    const unauthorized = await write(`/write?db=${id}&p=wrong`, "a v=1");
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ error: expect.stringContaining("unauthorized") });
    const missing = await write(`/write?db=does-not-exist&p=x`, "a v=1");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringContaining("not found") });
  });
});

describe("the InfluxDB write APIs' error header", () => {
  it.each([
    ["a newline", "ms\nX-Injected: yes"],
    ["a carriage return and a NUL", "s\r\u0000"],
    ["characters outside ASCII", "µsé😀"],
    ["a very long value", "n".repeat(8_000)],
  ])("stays printable ASCII and bounded when precision holds %s, answering 400 not 500", async (_what, precision) => {
    const { id, token } = await createDashboard();
    for (const path of [`/api/v2/write?bucket=${id}`, `/write?db=${id}`]) {
      const response = await write(`${path}&precision=${encodeURIComponent(precision)}`, "a v=1", { Authorization: `Token ${token}` });
      expect(response.status).toBe(400);
      const header = response.headers.get("X-Influxdb-Error")!;
      expect(header).toMatch(/^[\x20-\x7e]+$/);
      expect(header.length).toBeLessThanOrEqual(MAX_HEADER_VALUE_LENGTH);
      expect(header).toContain("precision");
      expect(response.headers.get("X-Injected")).toBeNull();
    }
  });
});

describe("the admin token on the InfluxDB v1 API", () => {
  it("is refused in the URL (p=) with 401 saying to send it in a header, and accepted in one", async () => {
    const { id } = await createDashboard();
    const inUrl = await write(`/write?db=${id}&u=admin&p=${DEV_ADMIN_TOKEN}`, "a v=1");
    expect(inUrl.status).toBe(401);
    expect((await inUrl.json<{ error: string }>()).error).toMatch(/not accepted in the URL.*header/);
    expect((await write(`/write?db=${id}`, "a v=2", { Authorization: `Token ${DEV_ADMIN_TOKEN}` })).status).toBe(204);
    expect((await write(`/write?db=${id}`, "a v=3", { Authorization: `Basic ${btoa(`admin:${DEV_ADMIN_TOKEN}`)}` })).status).toBe(204);
    expect((await stored(id)).map((row) => row.value)).toEqual([2, 3]);
  });
});

describe("the InfluxDB status routes", () => {
  it.each(["GET", "HEAD"])("answers %s /ping with 204 and InfluxDB's build and version headers", async (method) => {
    const response = await SELF.fetch(`${BASE}/ping`, { method });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(response.headers.get("X-Influxdb-Build")).toBe("Pulseboard");
    expect(response.headers.get("X-Influxdb-Version")).toMatch(/^2\.\d+\.\d+/);
  });

  it("answers /ping?verbose=true with 200 and the version, as InfluxDB 1.x does for load balancers", async () => {
    const response = await SELF.fetch(`${BASE}/ping?verbose=true`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ version: response.headers.get("X-Influxdb-Version") });
  });

  it("answers /health with InfluxDB 2.x's passing check", async () => {
    const response = await SELF.fetch(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "pulseboard", status: "pass", checks: [], message: expect.any(String), version: expect.any(String) });
  });

  it.each(["GET", "POST"])("refuses %s /query with 400 (not a 5xx, which clients take for an outage) and a v1 error saying writes only", async (method) => {
    const response = await SELF.fetch(`${BASE}/query?q=${encodeURIComponent("SHOW DATABASES")}`, { method });
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/\/query .*not supported/);
    expect(response.headers.get("X-Influxdb-Error")).toMatch(/^[\x20-\x7e]+$/);
  });

  it("answers CREATE DATABASE of a dashboard that exists, with its token, as InfluxDB answers creating one that exists (Telegraf's 1.x output sends it at start)", async () => {
    const { id, token } = await createDashboard();
    const query = (q: string, auth: string, form = true) =>
      SELF.fetch(form ? `${BASE}/query` : `${BASE}/query?q=${encodeURIComponent(q)}`, {
        method: "POST",
        headers: { Authorization: auth, ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}) },
        ...(form ? { body: new URLSearchParams({ q }).toString() } : {}),
      });
    const basic = `Basic ${btoa(`telegraf:${token}`)}`;
    for (const [q, form] of [[`CREATE DATABASE "${id}"`, true], [`CREATE DATABASE ${id}`, false], [`create database "${id}" WITH DURATION 30d`, true]] as const) {
      const created = await query(q, basic, form);
      expect(created.status).toBe(200);
      expect(await created.json()).toEqual({ results: [{ statement_id: 0 }] });
    }
    const unknown = await query('CREATE DATABASE "telegraf"', basic);
    expect(unknown.status).toBe(404);
    expect((await unknown.json<{ error: string }>()).error).toMatch(/database "telegraf" not found.*POST \/api\/dashboards/);
    const wrong = await query(`CREATE DATABASE "${id}"`, `Basic ${btoa("telegraf:pb_wrong")}`);
    expect(wrong.status).toBe(401);
    const none = await query(`CREATE DATABASE "${id}"`, "");
    expect(none.status).toBe(401);
    // Any other statement is still refused.
    expect((await query(`DROP DATABASE "${id}"`, basic)).status).toBe(400);
  });
});
