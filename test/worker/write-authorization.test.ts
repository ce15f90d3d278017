import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { REFUSAL_BURST } from "../../src/dashboard/write-refusal";
import { app } from "../../src/worker/app";
import { remoteWriteBody } from "../support/remote-write-encode";
import { BASE, createDashboard } from "./api";
import { storedPoints } from "./stored-points";
import { authorizeWrite, CONFIRMED_MAX, CONFIRMED_TTL_MS } from "../../src/worker/write-authorization";

/** A request body that records whether anything pulled it. */
function watchedBody(content: string | Uint8Array): { body: ReadableStream<Uint8Array>; pulled: () => boolean } {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled = true;
        controller.enqueue(typeof content === "string" ? new TextEncoder().encode(content) : content);
        controller.close();
      },
    },
    // Nothing is pulled ahead of a read.
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

type Route = { name: string; method: string; path: (id: string) => string; contentType: string; body: string | Uint8Array; refused: number };

const routes: Route[] = [
  { name: "POST /api/dashboards/:id/metrics", method: "POST", path: (id) => `/api/dashboards/${id}/metrics`, contentType: "application/json", body: '{"name":"a","value":1}', refused: 403 },
  { name: "POST /api/v2/write", method: "POST", path: (id) => `/api/v2/write?bucket=${id}&precision=ms`, contentType: "text/plain", body: `a value=1 ${Date.now()}`, refused: 401 },
  { name: "POST /write", method: "POST", path: (id) => `/write?db=${id}&precision=ms`, contentType: "text/plain", body: `a value=1 ${Date.now()}`, refused: 401 },
  {
    name: "POST /api/v1/write",
    method: "POST",
    path: (id) => `/api/v1/write?dashboard=${id}`,
    contentType: "application/x-protobuf",
    body: remoteWriteBody({ timeseries: [{ labels: [{ name: "__name__", value: "a" }], samples: [{ value: 1, timestamp: BigInt(Date.now()) }] }] }),
    refused: 403,
  },
  { name: "PUT /api/dashboards/:id", method: "PUT", path: (id) => `/api/dashboards/${id}`, contentType: "application/json", body: '{"title":"renamed"}', refused: 403 },
];

/** Sends `content` as a watched stream, straight into the Worker's app in this isolate. */
async function send(route: Route, id: string, token: string, content = route.body): Promise<{ response: Response; pulled: boolean }> {
  const { body, pulled } = watchedBody(content);
  const request = new Request(`${BASE}${route.path(id)}`, {
    method: route.method,
    headers: { Authorization: `${route.name.includes("write") ? "Token" : "Bearer"} ${token}`, "Content-Type": route.contentType },
    body,
  });
  const response = await app.fetch(request, env);
  return { response, pulled: pulled() };
}

describe("a write with a wrong token", () => {
  it.each(routes)("is refused by $name before its body is read", async (route) => {
    const { id } = await createDashboard();
    const { response, pulled } = await send(route, id, "pb_not-the-token");
    expect(response.status).toBe(route.refused);
    expect(pulled).toBe(false);
  });

  it.each(routes)("to an unknown dashboard is answered 404 by $name before its body is read", async (route) => {
    const { response, pulled } = await send(route, `ghost-${crypto.randomUUID().slice(0, 8)}`, "pb_not-the-token");
    expect(response.status).toBe(404);
    expect(pulled).toBe(false);
  });

  it.each(routes)("with the right token still reaches $name and its body is read", async (route) => {
    const { id, token } = await createDashboard();
    const { response, pulled } = await send(route, id, token);
    expect(response.status).toBeLessThan(300);
    expect(pulled).toBe(true);
  });

  /**
   * Wrong tokens until the first 429, at most `max`. How many pass before it depends on how
   * fast they arrive (the exact figures are the unit tests' of RefusalLimit, on a fake clock).
   */
  async function guessUntilLimited(route: Route, id: string, max = 200): Promise<{ statuses: number[]; limited: { response: Response; pulled: boolean } }> {
    const statuses: number[] = [];
    for (let i = 0; i < max; i++) {
      const sent = await send(route, id, `pb_guess-${i}`);
      if (sent.response.status === 429) return { statuses, limited: sent };
      statuses.push(sent.response.status);
    }
    throw new Error(`no 429 after ${max} wrong tokens`);
  }

  it(`is answered 429 with Retry-After past ${REFUSAL_BURST} refusals in a burst, while the right token keeps writing`, async () => {
    const { id, token } = await createDashboard();
    const metrics = routes[0]!;
    const { statuses, limited } = await guessUntilLimited(metrics, id);
    expect(statuses.length).toBeGreaterThanOrEqual(REFUSAL_BURST);
    expect(new Set(statuses)).toEqual(new Set([403]));
    expect(Number(limited.response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(limited.pulled).toBe(false);

    const accepted = await send(metrics, id, token, '{"name":"ok","value":7}');
    expect(accepted.response.status).toBe(200);
    expect((await storedPoints(id)).map((point) => point.name)).toEqual(["ok"]);
  });

  it("counts against the refusal limit on the InfluxDB routes too, answered in InfluxDB's shape", async () => {
    const { id } = await createDashboard();
    const { statuses, limited } = await guessUntilLimited(routes[1]!, id);
    expect(statuses.length).toBeGreaterThanOrEqual(REFUSAL_BURST);
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(limited.response.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
    expect(await limited.response.json()).toMatchObject({ code: "too many requests" });
  });
});

/** Changes the dashboard's token under the Worker's remembered confirmation; the object reads it afresh after its eviction. */
async function changeTokenHash(id: string): Promise<void> {
  const stub = env.DASHBOARD.getByName(id);
  await runInDurableObject(stub, (_instance: Dashboard, state) => state.storage.sql.exec("UPDATE tokens SET hash = ?", "0".repeat(64)));
  await evictDurableObject(stub);
}

describe("a write token the Worker confirmed a moment ago", () => {
  it("is still refused when storing once the dashboard no longer takes it: the confirmation only skips the early check", async () => {
    const { id, token } = await createDashboard();
    const metrics = routes[0]!;
    expect((await send(metrics, id, token, '{"name":"before","value":1}')).response.status).toBe(200);
    // The dashboard's token changes under the Worker's remembered confirmation.
    await changeTokenHash(id);
    const refused = await send(metrics, id, token, '{"name":"after","value":2}');
    expect(refused.response.status).toBe(403);
    expect((await storedPoints(id)).map((point) => point.name)).toEqual(["before"]);
  });

  it("past the refusal burst is told it is about a wrong token, not about the ingest rate", async () => {
    const { id, token } = await createDashboard();
    const metrics = routes[0]!;
    expect((await send(metrics, id, token, '{"name":"before","value":1}')).response.status).toBe(200);
    await changeTokenHash(id);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let n = 0; n <= REFUSAL_BURST; n++) {
      last = (await send(metrics, id, token, '{"name":"after","value":2}')).response;
      statuses.push(last.status);
    }
    expect(statuses.at(-1)).toBe(429);
    const { error } = await last!.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("rate_limited");
    expect(error.message).toContain("wrong token");
  });
});

describe("the Worker's memory of confirmed tokens", () => {
  it(`holds at most ${CONFIRMED_MAX} confirmations, forgetting the oldest first, each for ${CONFIRMED_TTL_MS / 1000} s`, async () => {
    let asked = 0;
    // Stands in for a dashboard that confirms every token, counting how often it is asked.
    const stub = {
      authorize: async () => {
        asked++;
        return { status: "ok" } as const;
      },
    } as unknown as DurableObjectStub<Dashboard>;
    const credential = (n: number) => ({ kind: "ingest" as const, tokenHash: n.toString(16).padStart(64, "0") });
    const id = `cache-${Date.now().toString(36)}`;
    const now = Date.now();
    for (let n = 0; n <= CONFIRMED_MAX; n++) expect(await authorizeWrite(stub, id, credential(n), now)).toBeNull();
    expect(asked).toBe(CONFIRMED_MAX + 1);
    // The newest are remembered...
    for (let n = 1; n <= CONFIRMED_MAX; n += 111) await authorizeWrite(stub, id, credential(n), now + 1);
    expect(asked).toBe(CONFIRMED_MAX + 1);
    // ...the oldest was forgotten when the cache was full, and every one expires.
    await authorizeWrite(stub, id, credential(0), now + 1);
    expect(asked).toBe(CONFIRMED_MAX + 2);
    await authorizeWrite(stub, id, credential(CONFIRMED_MAX), now + CONFIRMED_TTL_MS);
    expect(asked).toBe(CONFIRMED_MAX + 3);
  });
});
