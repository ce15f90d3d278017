import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/common/protocol";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { sha256Hex } from "../../src/dashboard/secrets";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, postMetrics, uniqueId } from "./api";
import { Viewer } from "./viewer";

interface Created {
  id: string;
  token: string;
  viewKey?: string;
}
interface Listed {
  id: string;
  name: string;
  scope: string;
  createdAt: number;
  lastUsedAt: number | null;
}

async function create(isPrivate = false): Promise<Created> {
  const id = uniqueId("tokens");
  const response = await SELF.fetch(`${BASE}/api/dashboards`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id, private: isPrivate }),
  });
  expect(response.status).toBe(201);
  const body = await response.json<{ ingestToken: string; viewKey?: string }>();
  return { id, token: body.ingestToken, ...(body.viewKey === undefined ? {} : { viewKey: body.viewKey }) };
}

const bearer = (token: string | null): Record<string, string> => (token === null ? {} : { Authorization: `Bearer ${token}` });

function addToken(id: string, by: string | null, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/tokens`, { method: "POST", headers: { "Content-Type": "application/json", ...bearer(by) }, body: JSON.stringify(body) });
}

/** Adds a token with the admin token and returns its id and secret. */
async function added(id: string, name: string, scope: "write" | "edit" | "read"): Promise<{ id: string; token: string }> {
  const response = await addToken(id, DEV_ADMIN_TOKEN, { name, scope });
  expect(response.status).toBe(201);
  return response.json<{ id: string; token: string }>();
}

async function list(id: string, by: string | null = DEV_ADMIN_TOKEN): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/tokens`, { headers: bearer(by) });
}

async function listed(id: string): Promise<Listed[]> {
  const response = await list(id);
  expect(response.status).toBe(200);
  return (await response.json<{ tokens: Listed[] }>()).tokens;
}

function revoke(id: string, tokenId: string, by: string | null = DEV_ADMIN_TOKEN): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/tokens/${tokenId}`, { method: "DELETE", headers: bearer(by) });
}

function configure(id: string, token: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "PUT", headers: { "Content-Type": "application/json", ...bearer(token) }, body: JSON.stringify(body) });
}

function annotate(id: string, token: string): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/annotations`, { method: "POST", headers: { "Content-Type": "application/json", ...bearer(token) }, body: JSON.stringify({ text: "serviced" }) });
}

const describeWith = (id: string, headers: Record<string, string>) => SELF.fetch(`${BASE}/api/dashboards/${id}`, { headers });

async function storedSeq(id: string): Promise<number> {
  const response = await describeWith(id, bearer(DEV_ADMIN_TOKEN));
  return (await response.json<{ seq: number }>()).seq;
}

describe("a dashboard's tokens", () => {
  it("start as its ingest token (scope edit) and, when private, its view key (scope read), listed without secrets", async () => {
    const { id, token, viewKey } = await create(true);
    const response = await list(id);
    const text = await response.text();
    const { tokens } = JSON.parse(text) as { tokens: Listed[] };
    expect(tokens.map(({ name, scope, lastUsedAt }) => ({ name, scope, lastUsedAt }))).toEqual([
      { name: "ingest token", scope: "edit", lastUsedAt: null },
      { name: "view key", scope: "read", lastUsedAt: null },
    ]);
    for (const listedToken of tokens) expect(Object.keys(listedToken).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "scope"]);
    for (const secret of [token, viewKey!, await sha256Hex(token), await sha256Hex(viewKey!)]) expect(text).not.toContain(secret);
  });

  it("are made by the admin or an edit token, each secret shown once in the format of its kind", async () => {
    const { id, token } = await create();
    const write = await addToken(id, DEV_ADMIN_TOKEN, { name: " boiler sensor ", scope: "write" });
    expect(write.status).toBe(201);
    const made = await write.json<{ id: string; name: string; scope: string; createdAt: number; token: string }>();
    expect(made).toMatchObject({ name: "boiler sensor", scope: "write" });
    expect(made.id).toMatch(/^tk_[A-Za-z0-9_-]{12}$/);
    expect(made.token).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(made.createdAt - Date.now())).toBeLessThan(60_000);

    const read = await addToken(id, token, { name: "wall screen", scope: "read" });
    expect(read.status).toBe(201);
    expect((await read.json<{ token: string }>()).token).toMatch(/^pbv_[A-Za-z0-9_-]{43}$/);

    const listedTokens = await listed(id);
    expect(listedTokens.map((listedToken) => listedToken.name)).toEqual(["ingest token", "boiler sensor", "wall screen"]);
    expect(listedTokens.find((listedToken) => listedToken.name === "boiler sensor")).toEqual({ id: made.id, name: "boiler sensor", scope: "write", createdAt: made.createdAt, lastUsedAt: null });
  });

  it("are refused to write and read tokens, to tokens of other dashboards, and without a token", async () => {
    const { id } = await create();
    const other = await create();
    const write = await added(id, "sensor", "write");
    const read = await added(id, "screen", "read");
    for (const by of [write.token, read.token]) {
      for (const response of [await addToken(id, by, { name: "x", scope: "write" }), await list(id, by), await revoke(id, write.id, by)]) {
        expect(response.status).toBe(403);
        const body = await response.json<{ error: { code: string; message: string; required: string } }>();
        expect(body.error).toMatchObject({ code: "insufficient_scope", required: "edit" });
        expect(body.error.message).toContain("`edit`");
      }
    }
    const foreign = await addToken(id, other.token, { name: "x", scope: "write" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: "invalid_token" } });
    expect((await list(id, null)).status).toBe(401);
    expect((await listed(id)).length).toBe(3);
  });

  it("refuse a name or scope out of bounds, naming the field, and a dashboard past its token limit", async () => {
    const { id } = await create();
    for (const [body, field] of [
      [{ name: "", scope: "write" }, "name"],
      [{ name: "x".repeat(65), scope: "write" }, "name"],
      [{ name: "a\u0007b", scope: "write" }, "name"],
      [{ name: "ok", scope: "admin" }, "scope"],
      [{ name: "ok" }, "scope"],
      [{ name: "ok", scope: "write", extra: 1 }, undefined],
    ] as const) {
      const response = await addToken(id, DEV_ADMIN_TOKEN, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = (await response.json<{ error: { code: string; field?: string } }>()).error;
      expect(error.code).toBe("invalid_body");
      if (field) expect(error.field).toBe(field);
    }
    expect((await addToken(id, DEV_ADMIN_TOKEN, { name: "x".repeat(64), scope: "write" })).status).toBe(201);
    // 1 ingest token + 1 above: 98 more reach the limit of 100.
    for (let n = 0; n < 98; n++) expect((await addToken(id, DEV_ADMIN_TOKEN, { name: `t${n}`, scope: "read" })).status).toBe(201);
    const full = await addToken(id, DEV_ADMIN_TOKEN, { name: "one too many", scope: "read" });
    expect(full.status).toBe(422);
    expect(await full.json()).toMatchObject({ error: { code: "tokens_full", limit: 100 } });
  });

  it("answer 404 for an unknown dashboard or token", async () => {
    const { id } = await create();
    expect((await list("no-such-dashboard")).status).toBe(404);
    for (const tokenId of ["tk_AAAAAAAAAAAA", "nonsense"]) {
      const response = await revoke(id, tokenId);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "token_not_found", field: "token" } });
    }
  });
});

describe("a token's scope", () => {
  it("write: points and annotations, but not the title and panels (403 naming edit)", async () => {
    const { id } = await create();
    const write = await added(id, "sensor", "write");
    expect((await postMetrics(id, write.token, { name: "t", value: 1 })).status).toBe(200);
    const influx = await SELF.fetch(`${BASE}/api/v2/write?bucket=${id}&precision=ms`, { method: "POST", headers: { Authorization: `Token ${write.token}` }, body: `t v=2 ${Date.now()}` });
    expect(influx.status).toBe(204);
    expect((await annotate(id, write.token)).status).toBe(201);
    const refused = await configure(id, write.token, { title: "renamed" });
    expect(refused.status).toBe(403);
    const body = await refused.json<{ error: { code: string; message: string; required: string } }>();
    expect(body.error).toMatchObject({ code: "insufficient_scope", required: "edit" });
    expect(body.error.message).toContain("`edit`");
    expect(await (await describeWith(id, {})).json()).toMatchObject({ title: id });
  });

  it("edit: points, annotations, and the title and panels", async () => {
    const { id } = await create();
    const edit = await added(id, "operator", "edit");
    expect((await postMetrics(id, edit.token, { name: "t", value: 1 })).status).toBe(200);
    expect((await annotate(id, edit.token)).status).toBe(201);
    expect((await configure(id, edit.token, { title: "renamed" })).status).toBe(200);
    expect(await (await describeWith(id, {})).json()).toMatchObject({ title: "renamed" });
  });

  it("read: views a private dashboard, and writes nothing anywhere", async () => {
    const { id } = await create(true);
    const read = await added(id, "screen", "read");
    expect((await describeWith(id, { "X-Pulseboard-View-Key": read.token })).status).toBe(200);
    expect((await describeWith(id, bearer(read.token))).status).toBe(200);
    const points = await postMetrics(id, read.token, { name: "t", value: 1 });
    expect(points.status).toBe(403);
    expect(await points.json()).toMatchObject({ error: { code: "insufficient_scope", required: "write" } });
    expect((await annotate(id, read.token)).status).toBe(403);
    expect((await configure(id, read.token, { title: "renamed" })).status).toBe(403);
    const influx = await SELF.fetch(`${BASE}/api/v2/write?bucket=${id}`, { method: "POST", headers: { Authorization: `Token ${read.token}` }, body: "t v=1" });
    expect(influx.status).toBe(401);
    expect(await storedSeq(id)).toBe(0);
  });

  it("read: refused on the OpenTelemetry and Prometheus routes too, before the body is read; write: taken there", async () => {
    const { id } = await create();
    const read = await added(id, "screen", "read");
    const write = await added(id, "collector", "write");
    const otlp = (token: string, body: string) =>
      SELF.fetch(`${BASE}/api/dashboards/${id}/otlp/v1/metrics`, { method: "POST", headers: { "Content-Type": "application/json", ...bearer(token) }, body });
    const remoteWrite = (token: string) =>
      SELF.fetch(`${BASE}/api/v1/write?dashboard=${id}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy", ...bearer(token) },
        body: "not snappy at all",
      });
    // The bodies are not valid: a 403 shows the token was refused before they were read.
    expect((await otlp(read.token, "not json")).status).toBe(403);
    expect((await remoteWrite(read.token)).status).toBe(403);
    expect((await otlp(write.token, '{"resourceMetrics": []}')).status).toBe(200);
    expect((await remoteWrite(write.token)).status).toBe(400);
  });

  it("write and edit tokens also view a private dashboard, as its ingest token always could", async () => {
    const { id } = await create(true);
    for (const scope of ["write", "edit"] as const) {
      const { token } = await added(id, scope, scope);
      expect((await describeWith(id, bearer(token))).status).toBe(200);
      expect((await describeWith(id, { "X-Pulseboard-View-Key": token })).status).toBe(200);
    }
    expect((await describeWith(id, { "X-Pulseboard-View-Key": "pbv_wrong" })).status).toBe(403);
  });
});

describe("a token's last use", () => {
  it("is recorded, at most once a minute", async () => {
    const { id } = await create();
    const write = await added(id, "sensor", "write");
    const before = Date.now();
    expect((await postMetrics(id, write.token, { name: "t", value: 1 })).status).toBe(200);
    const first = (await listed(id)).find((token) => token.id === write.id)!.lastUsedAt!;
    expect(first).toBeGreaterThanOrEqual(before);
    expect((await postMetrics(id, write.token, { name: "t", value: 2 })).status).toBe(200);
    expect((await listed(id)).find((token) => token.id === write.id)!.lastUsedAt).toBe(first);
    const row = await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) =>
      state.storage.sql.exec<{ last_used_at: number }>("SELECT last_used_at FROM tokens WHERE id = ?", write.id).one(),
    );
    expect(row.last_used_at).toBe(first);
  });
});

describe("revoking a token", () => {
  it("refuses its next write at once, even where the Worker remembers having confirmed it", async () => {
    const { id } = await create();
    const write = await added(id, "sensor", "write");
    // Confirms the token: this isolate now skips the early check for 10 s.
    expect((await postMetrics(id, write.token, { name: "t", value: 1 })).status).toBe(200);
    // Revoked by the dashboard itself, as when another isolate answered the DELETE.
    expect(await env.DASHBOARD.getByName(id).revokeToken({ kind: "admin" }, write.id)).toEqual({ status: "ok" });
    for (const response of [await postMetrics(id, write.token, { name: "t", value: 2 }), await annotate(id, write.token)]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_token" } });
    }
    expect(await storedSeq(id)).toBe(1);
  });

  it("through the API removes it from the list and refuses it on every route", async () => {
    const { id, token } = await create();
    const edit = await added(id, "operator", "edit");
    expect((await configure(id, edit.token, { title: "before" })).status).toBe(200);
    expect((await revoke(id, edit.id, token)).status).toBe(204);
    expect((await listed(id)).map((listedToken) => listedToken.id)).not.toContain(edit.id);
    expect((await configure(id, edit.token, { title: "after" })).status).toBe(403);
    expect((await postMetrics(id, edit.token, { name: "t", value: 1 })).status).toBe(403);
    expect((await list(id, edit.token)).status).toBe(403);
    expect((await revoke(id, edit.id)).status).toBe(404);
  });

  it("while writes are in flight lets each either complete before it or be refused after it, never half", async () => {
    const { id } = await create();
    const write = await added(id, "sensor", "write");
    const base = Date.now() - 60_000;
    let sent = 0;
    let revoking: Promise<Response> | null = null;
    let revoked = false;
    const outcomes: { status: number; accepted?: number; afterRevoked: boolean }[] = [];
    // Four senders write one request after another; the token is revoked once a write got through.
    const sender = async () => {
      for (let n = 0; n < 12; n++) {
        const first = sent++ * 200;
        const afterRevoked = revoked;
        const answer = await postMetrics(id, write.token, Array.from({ length: 200 }, (_, k) => ({ name: `s${k % 5}`, value: k, ts: base - first - k })));
        const body = await answer.json<{ accepted?: number }>();
        outcomes.push({ status: answer.status, ...(body.accepted === undefined ? {} : { accepted: body.accepted }), afterRevoked });
        if (answer.status === 200 && revoking === null) revoking = revoke(id, write.id).then((response) => ((revoked = true), response));
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect((await revoking!)?.status).toBe(204);
    let stored = 0;
    for (const outcome of outcomes) {
      // Refused: 403, or 429 once the refusals of a token that is no longer the dashboard's pass their burst.
      expect([200, 403, 429]).toContain(outcome.status);
      if (outcome.status === 200) {
        expect(outcome.accepted).toBe(200);
        expect(outcome.afterRevoked).toBe(false);
        stored += 200;
      }
    }
    expect(outcomes.some((outcome) => outcome.status === 200)).toBe(true);
    expect(outcomes.some((outcome) => outcome.status !== 200)).toBe(true);
    // Every point of a write that was answered 200 is stored, and nothing of one refused.
    expect(await storedSeq(id)).toBe(stored);
  });
});

describe.each([
  ["while the dashboard stays in memory", false],
  ["after the dashboard was evicted with its sockets hibernated", true],
])("revoking a read token %s", (_when, evict) => {
  it("closes the viewers it let in with 4403, and only those, and refuses it afterwards", async () => {
    const { id, viewKey } = await create(true);
    const screen = await added(id, "wall screen", "read");
    const keyed = (key: string) => ({ "Sec-WebSocket-Protocol": `pulseboard, pulseboard.view-key.${key}` });
    const revokedViewers = await Promise.all([Viewer.open(id, {}, keyed(screen.token)), Viewer.open(id, {}, keyed(screen.token))]);
    const kept = await Viewer.open(id, {}, keyed(viewKey!));
    for (const viewer of [...revokedViewers, kept]) await viewer.nth("snapshot");
    if (evict) await evictDurableObject(env.DASHBOARD.getByName(id), { webSockets: "hibernate" });

    expect((await revoke(id, screen.id)).status).toBe(204);
    for (const viewer of revokedViewers) {
      await viewer.until(() => viewer.closed !== null, "the close");
      expect(viewer.closed!.code).toBe(CloseCode.revoked);
    }
    const refused = await Viewer.handshake(id, {}, keyed(screen.token));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid_view_key" } });

    expect(kept.closed).toBeNull();
    const { token } = await added(id, "sensor", "write");
    expect((await postMetrics(id, token, { name: "after", value: 1 })).status).toBe(200);
    expect((await kept.nth("points")).series).toMatchObject([{ key: "after", values: [1] }]);
    await kept.until(() => kept.viewerCount() === 1, "the count without the closed viewers");
    kept.close();
  });
});

describe("a dashboard made before named tokens", () => {
  it("keeps its ingest token and view key, which become its first tokens", async () => {
    const { id, token, viewKey } = await create(true);
    const stub = env.DASHBOARD.getByName(id);
    // As such a dashboard is stored: its secrets in the columns of its row, and no tokens table.
    await runInDurableObject(stub, (_instance: Dashboard, state) => void state.storage.sql.exec("DROP TABLE tokens"));
    await evictDurableObject(stub);
    const createdAt = await runInDurableObject(stub, (_instance: Dashboard, state) => state.storage.sql.exec<{ created_at: number }>("SELECT created_at FROM dashboard").one().created_at);

    expect((await postMetrics(id, token, { name: "t", value: 1 })).status).toBe(200);
    expect((await describeWith(id, { "X-Pulseboard-View-Key": viewKey! })).status).toBe(200);
    expect((await configure(id, token, { title: "still editable" })).status).toBe(200);
    const tokens = await listed(id);
    expect(tokens.map(({ name, scope, createdAt: made }) => ({ name, scope, made }))).toEqual([
      { name: "ingest token", scope: "edit", made: createdAt },
      { name: "view key", scope: "read", made: createdAt },
    ]);
    // Revoked, the old ingest token is refused, though its hash is still in the row.
    expect((await revoke(id, tokens[0]!.id)).status).toBe(204);
    expect((await postMetrics(id, token, { name: "t", value: 2 })).status).toBe(403);
    await evictDurableObject(stub);
    expect((await postMetrics(id, token, { name: "t", value: 3 })).status).toBe(403);
    expect((await describeWith(id, { "X-Pulseboard-View-Key": viewKey! })).status).toBe(200);
  });
});
