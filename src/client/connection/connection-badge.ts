/**
 * The header badge that says whether the page is receiving data. It is a polite ARIA live
 * region (role="status" in dashboard.html), so screen readers announce state changes.
 */
import type { ConnectionState } from "./connection.ts";

const labels: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** Shows `state` on the badge element: `data-state` for styles and tests, text for people. */
export function showConnectionState(badge: HTMLElement, state: ConnectionState): void {
  badge.dataset.state = state;
  const text = badge.querySelector<HTMLElement>(".badge-text") ?? badge;
  text.textContent = labels[state];
}
