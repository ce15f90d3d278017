import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/common/http-contract.ts";
import { checkEditToken, tokenVerdict, type TokenVerdict } from "../../../src/client/editor/token-check.ts";

/** An error body as the HTTP API writes it. */
const refusal = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ error: { code, message, ...extra } });

describe("sorting the answer to a token check", () => {
  it("accepts any 2xx", () => {
    expect(tokenVerdict(200, { tokens: [] })).toEqual({ kind: "accepted" });
  });

  it("tells a token that is not the dashboard's from one whose scope may not edit", () => {
    const wrong = tokenVerdict(403, refusal(ErrorCode.invalidToken, 'the token is not valid for dashboard "d"'));
    const scoped = tokenVerdict(403, refusal(ErrorCode.insufficientScope, "this token's scope does not allow this", { required: "edit" }));
    expect(wrong.kind).toBe("wrong");
    expect(scoped.kind).toBe("scope");
    expect((scoped as { message: string }).message).toContain("scope edit");
    expect((wrong as { message: string }).message).not.toBe((scoped as { message: string }).message);
  });

  it("takes a missing token (401) as a wrong one", () => {
    expect(tokenVerdict(401, refusal(ErrorCode.missingToken, "send the token")).kind).toBe("wrong");
    expect(tokenVerdict(401, undefined).kind).toBe("wrong");
  });

  it("names a deleted dashboard, a refusal limit with its wait, and a server error with its status", () => {
    expect(tokenVerdict(404, refusal(ErrorCode.dashboardNotFound, 'no dashboard "d"')).kind).toBe("gone");
    const limited = tokenVerdict(429, refusal("rate_limited", "too many", { retryAfter: 7 }));
    expect(limited).toMatchObject({ kind: "limited" });
    expect((limited as { message: string }).message).toContain("7 s");
    for (const status of [500, 502, 503]) {
      const down = tokenVerdict(status, undefined);
      expect(down.kind).toBe("down");
      expect((down as { message: string }).message).toContain(`HTTP ${status}`);
    }
  });

  it("gives every kind of refusal its own message", () => {
    const verdicts: TokenVerdict[] = [
      tokenVerdict(403, refusal(ErrorCode.invalidToken, "x")),
      tokenVerdict(403, refusal(ErrorCode.insufficientScope, "x", { required: "edit" })),
      tokenVerdict(404, refusal(ErrorCode.dashboardNotFound, "x")),
      tokenVerdict(429, refusal("rate_limited", "x", { retryAfter: 1 })),
      tokenVerdict(503, undefined),
    ];
    const messages = verdicts.map((v) => (v.kind === "accepted" ? "" : v.message));
    expect(new Set(messages).size).toBe(verdicts.length);
  });
});

describe("checking a token with the server", () => {
  it("asks GET /api/dashboards/<id>/tokens with the token as a bearer", async () => {
    const asked: { url: string; method: string; authorization: string | null }[] = [];
    const send: typeof fetch = async (input, init) => {
      asked.push({ url: String(input), method: init?.method ?? "GET", authorization: new Headers(init?.headers).get("authorization") });
      return Response.json({ tokens: [] });
    };
    expect(await checkEditToken("boiler-room", "pb_secret", send)).toEqual({ kind: "accepted" });
    expect(asked).toEqual([{ url: "/api/dashboards/boiler-room/tokens", method: "GET", authorization: "Bearer pb_secret" }]);
  });

  it("says the server was unreachable when the request fails, apart from a server that answers an error", async () => {
    const unreachable = await checkEditToken("d", "t", async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(unreachable.kind).toBe("unreachable");
    const down = await checkEditToken("d", "t", async () => new Response("Service Unavailable", { status: 503 }));
    expect(down.kind).toBe("down");
  });
});
