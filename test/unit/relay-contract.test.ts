import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relayAddressOf, relayName } from "../../src/relay/relay-contract.ts";
import { DASHBOARD_ID_PATTERN } from "../../src/common/http-contract.ts";

describe("a relay's name", () => {
  it("gives back the dashboard and index it was made from", () => {
    fc.assert(
      fc.property(fc.stringMatching(DASHBOARD_ID_PATTERN), fc.nat(999_999_999), (dashboard, index) => {
        expect(relayAddressOf(relayName({ dashboard, index }))).toEqual({ dashboard, index });
      }),
    );
  });

  it("names no relay when it is not one relayName gives", () => {
    for (const name of [undefined, "", "demo", "demo/relay/", "demo/relay/-1", "demo/relay/01", "demo/relay/1.5", "demo/relay/1e3", "/relay/3", "demo/relay/3/x", "demo/relay/12345678901"]) {
      expect(relayAddressOf(name), String(name)).toBeNull();
    }
  });
});
