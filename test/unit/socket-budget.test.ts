import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { affords, freshBudget, socketBudgetLimits, spend, type BudgetLimits, type Cost, type SocketBudget } from "../../src/dashboard/socket-budget.ts";

const limits: BudgetLimits = { windowMs: 1000, messages: 5, invalid: 3, work: 100 };

/** Spends each cost at its time, in order; returns the verdicts. */
function run(costs: { at: number; cost: Cost }[], budgetLimits = limits) {
  let budget: SocketBudget = freshBudget(0);
  return costs.map(({ at, cost }) => {
    const spent = spend(budget, cost, at, budgetLimits);
    budget = spent.budget;
    return spent.verdict;
  });
}

describe("a socket's budget", () => {
  it("allows the window's messages and refuses the one after", () => {
    const verdicts = run(Array.from({ length: 6 }, (_, i) => ({ at: i, cost: { messages: 1 } })));
    expect(verdicts).toEqual(["ok", "ok", "ok", "ok", "ok", "over_budget"]);
  });

  it("starts a fresh window once the last has run out", () => {
    const verdicts = run([...Array.from({ length: 5 }, (_, i) => ({ at: i, cost: { messages: 1 } })), { at: 1000, cost: { messages: 1 } }]);
    expect(verdicts.at(-1)).toBe("ok");
  });

  it("counts invalid messages within a window, whatever valid messages come between them", () => {
    const verdicts = run([
      { at: 0, cost: { messages: 1, invalid: 1 } },
      { at: 1, cost: { messages: 1 } },
      { at: 2, cost: { invalid: 1 } },
      { at: 3, cost: { messages: 1 } },
      { at: 4, cost: { invalid: 1 } },
    ]);
    expect(verdicts).toEqual(["ok", "ok", "ok", "ok", "too_many_invalid"]);
  });

  it("refuses work past the window's allowance, and affords says so without spending", () => {
    const budget = spend(freshBudget(0), { work: 90 }, 10, limits).budget;
    expect(affords(budget, 10, 20, limits)).toBe(true);
    expect(affords(budget, 11, 20, limits)).toBe(false);
    expect(affords(budget, 11, 1000, limits)).toBe(true);
    expect(budget.work).toBe(90);
  });

  it("starts afresh when the clock goes backwards (timestamps from another instance)", () => {
    const budget = spend(freshBudget(5000), { messages: 5 }, 5000, limits).budget;
    expect(spend(budget, { messages: 1 }, 100, limits)).toEqual({ budget: { windowStart: 100, messages: 1, invalid: 0, work: 0 }, verdict: "ok" });
  });

  it("never lets more than twice a window's allowance through in any window-long span", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), (gaps) => {
        let at = 0;
        const times = gaps.map((gap) => (at += gap));
        const verdicts = run(times.map((time) => ({ at: time, cost: { messages: 1 } })));
        const served = times.filter((_, i) => verdicts[i] === "ok");
        for (const start of served) expect(served.filter((time) => time >= start && time < start + limits.windowMs).length).toBeLessThanOrEqual(2 * limits.messages);
      }),
    );
  });

  it("leaves the page's one snapshot or replay per connection well inside the work allowance", () => {
    expect(socketBudgetLimits.work).toBeGreaterThanOrEqual(2 * 100_000);
  });
});
