import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key";
import { BASE, createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

type Series = { key: string; name: string; tags: Record<string, string> };

async function describeSeries(id: string): Promise<Series[]> {
  const response = await SELF.fetch(`${BASE}/api/dashboards/${id}`);
  return (await response.json<{ series: Series[] }>()).series.sort((a, b) => (a.key < b.key ? -1 : 1));
}

function writeLines(path: string, body: string, token: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8", Authorization: `Token ${token}` }, body });
}

describe("names as InfluxDB's line protocol carries them", () => {
  it("are stored from every route under one unambiguous key each", async () => {
    const { id, token } = await createDashboard();
    // Spaces, commas, equals signs and non-ASCII letters, escaped as line protocol escapes them.
    const lines = String.raw`disk\ usage,mount\ point=/var\,log used\ percent=71.5
température,pièce=salon valeur=19.5`;
    expect((await writeLines(`/api/v2/write?bucket=${id}&precision=ms`, lines, token)).status).toBe(204);
    expect((await writeLines(`/write?db=${id}`, String.raw`a\,b,k\=x=v\,w f=1`, token)).status).toBe(204);
    expect((await postMetrics(id, token, { name: "json {braces}", value: 2, tags: { "k,}": "v}" } })).status).toBe(200);
    const ndjson = await SELF.fetch(`${BASE}/api/dashboards/${id}/metrics`, {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson", Authorization: `Bearer ${token}` },
      body: `${JSON.stringify({ name: "back\\slash", value: 3 })}\n`,
    });
    expect(ndjson.status).toBe(200);

    const sent: Omit<Series, "key">[] = [
      { name: "disk usage.used percent", tags: { "mount point": "/var,log" } },
      { name: "température.valeur", tags: { pièce: "salon" } },
      { name: "a,b.f", tags: { "k=x": "v,w" } },
      { name: "json {braces}", tags: { "k,}": "v}" } },
      { name: "back\\slash", tags: {} },
    ];
    const expected: Series[] = sent.map((series) => ({ ...series, key: seriesKey(series.name, series.tags) }));
    expect(expected.map((series) => series.key)).toEqual([
      "disk usage.used percent{mount point=/var\\,log}",
      "température.valeur{pièce=salon}",
      "a\\,b.f{k\\=x=v\\,w}",
      "json \\{braces}{k\\,\\}=v\\}}",
      "back\\\\slash",
    ]);
    expect(await describeSeries(id)).toEqual(expected.sort((a, b) => (a.key < b.key ? -1 : 1)));
  });

  it("still refuses control characters and over-long names, naming the line", async () => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, [{ name: "ok", value: 1 }, { name: "tab\there", value: 1 }, { name: "é".repeat(201), value: 1 }]);
    expect(response.status).toBe(422);
    const { error } = await response.json<{ error: { rejected: { index: number; field: string; message: string }[] } }>();
    expect(error.rejected).toEqual([
      { index: 1, field: "name", message: "name must hold no control characters" },
      { index: 2, field: "name", message: "name is longer than 200 characters" },
    ]);
  });

  it("are selected by key, name or glob in history queries and subscriptions, several tags and commas included", async () => {
    const { id, token } = await createDashboard();
    const points = [
      { name: "used percent", value: 1, tags: { host: "web 1", zone: "a,b" } },
      { name: "used percent", value: 2, tags: { host: "web 2", zone: "c" } },
      { name: "a*b", value: 3 },
      { name: "axb", value: 4 },
    ];
    expect((await postMetrics(id, token, points)).status).toBe(200);
    const first = seriesKey("used percent", { host: "web 1", zone: "a,b" });

    const history = async (names: string) => {
      const response = await SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=${encodeURIComponent(names)}`);
      expect(response.status).toBe(200);
      return (await response.json<{ series: { key: string }[] }>()).series.map((s) => s.key).sort();
    };
    // A list of keys, each with its own commas, is split between keys.
    expect(await history(`${first},a*b`)).toEqual([first, "a*b", "axb"].sort());
    expect(await history("used percent{*zone=a\\,*}")).toEqual([first]);
    expect(await history("a\\*b")).toEqual(["a*b"]);
    expect(await history("température,used percent")).toHaveLength(2);

    const viewer = await Viewer.open(id, { series: `${first},a\\*b` });
    const snapshot = await viewer.nth("snapshot");
    expect(snapshot.series.map((s: { key: string }) => s.key).sort()).toEqual([first, "a*b"].sort());
    viewer.close();
  });
});
