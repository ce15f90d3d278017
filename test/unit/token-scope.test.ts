import { describe, expect, it } from "vitest";
import { isViewScope, scopeAllows, scopeNeeded, TOKEN_SCOPES, type TokenAction } from "../../src/dashboard/token-scope.ts";

describe("a token's scope", () => {
  it("allows exactly what the README's scopes table says", () => {
    const table: Record<string, Record<TokenAction, boolean>> = {
      write: { write: true, edit: false, read: true },
      edit: { write: true, edit: true, read: true },
      read: { write: false, edit: false, read: true },
    };
    for (const scope of TOKEN_SCOPES) {
      for (const action of ["write", "edit", "read"] as const) expect(scopeAllows(scope, action), `${scope} ${action}`).toBe(table[scope]![action]);
    }
  });

  it("names, for each action, a scope that allows it and is the least that does", () => {
    for (const action of ["write", "edit", "read"] as const) {
      const needed = scopeNeeded(action);
      expect(scopeAllows(needed, action)).toBe(true);
      const allowing = TOKEN_SCOPES.filter((scope) => scopeAllows(scope, action));
      // Every scope that allows the action allows at least what the named one does.
      for (const scope of allowing) for (const other of ["write", "edit", "read"] as const) if (scopeAllows(needed, other)) expect(scopeAllows(scope, other), `${scope} vs ${needed}`).toBe(true);
    }
  });

  it("makes view keys only for read tokens", () => {
    expect(TOKEN_SCOPES.filter(isViewScope)).toEqual(["read"]);
  });
});
