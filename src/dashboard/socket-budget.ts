import { MAX_INVALID_MESSAGES, OVER_BUDGET_RETRY_MS } from "../common/protocol";

/**
 * What one viewer socket may ask of its dashboard per time window: messages, invalid
 * messages, and work (points read and sent for its snapshots, replays and history answers).
 * A plain value kept in the socket's attachment, so it survives hibernation; the clock is
 * passed in. Windows are fixed (a new one starts once the last has run out), so a socket
 * gets at most twice a window's allowance across a window boundary.
 */

/** A socket's spending in its current window. */
export interface SocketBudget {
  /** When the current window started, milliseconds since the epoch. */
  windowStart: number;
  /** Messages received in the window (valid or not; the `ping` heartbeat never counts). */
  messages: number;
  /** Invalid messages received in the window. */
  invalid: number;
  /** Points of snapshots, replays and history (points read) served in the window. */
  work: number;
}

/** Allowances per window. */
export interface BudgetLimits {
  /** Length of a window, in ms. */
  windowMs: number;
  /** Most messages per window. */
  messages: number;
  /** Invalid messages per window at which the socket is closed. */
  invalid: number;
  /** Most points of work per window. */
  work: number;
}

/**
 * The page sends no message at all besides the heartbeat (answered by the runtime, never
 * counted) and costs one snapshot or one replay per connection, so these allowances are far
 * above what it needs and far below what stalls a dashboard: a replay is at most 100,000
 * points and a snapshot at most 40,000, each read in slices.
 */
export const socketBudgetLimits: BudgetLimits = {
  // A client closed for its budget waits out one window before it reconnects.
  windowMs: OVER_BUDGET_RETRY_MS,
  messages: 60,
  invalid: MAX_INVALID_MESSAGES,
  work: 250_000,
};

/** What a request costs. */
export interface Cost {
  /** Messages (1 for any received message). */
  messages?: number;
  /** Invalid messages. */
  invalid?: number;
  /** Points of work. */
  work?: number;
}

/**
 * `ok`; `too_many_invalid`: the client is broken (do not reconnect as is); `over_budget`:
 * too much asked too fast (reconnect later).
 */
export type BudgetVerdict = "ok" | "too_many_invalid" | "over_budget";

export function freshBudget(now: number): SocketBudget {
  return { windowStart: now, messages: 0, invalid: 0, work: 0 };
}

/** The budget after spending `cost` at `now`, and whether the socket stays within its allowances. */
export function spend(budget: SocketBudget, cost: Cost, now: number, limits: BudgetLimits = socketBudgetLimits): { budget: SocketBudget; verdict: BudgetVerdict } {
  // A clock that went backwards (another instance's timestamps after an eviction) starts afresh too.
  const current = now >= budget.windowStart + limits.windowMs || now < budget.windowStart ? freshBudget(now) : budget;
  const next: SocketBudget = {
    windowStart: current.windowStart,
    messages: current.messages + (cost.messages ?? 0),
    invalid: current.invalid + (cost.invalid ?? 0),
    work: current.work + (cost.work ?? 0),
  };
  return { budget: next, verdict: verdictOf(next, limits) };
}

/** Whether `work` more points fit in the window at `now`, without spending them. */
export function affords(budget: SocketBudget, work: number, now: number, limits: BudgetLimits = socketBudgetLimits): boolean {
  return spend(budget, { work }, now, limits).verdict === "ok";
}

function verdictOf(budget: SocketBudget, limits: BudgetLimits): BudgetVerdict {
  if (budget.invalid >= limits.invalid) return "too_many_invalid";
  if (budget.messages > limits.messages || budget.work > limits.work) return "over_budget";
  return "ok";
}
