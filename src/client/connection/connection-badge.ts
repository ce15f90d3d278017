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
  show(badge, state, labels[state]);
}

/**
 * The server answered, and refused to show this dashboard to this page (unknown, or private
 * without the right view key): not an outage, so the badge says why in `label` instead of
 * "Offline", and `data-state` is `refused`. No socket is opened, so nothing changes it after.
 */
export function showRefused(badge: HTMLElement, label: string): void {
  show(badge, "refused", label);
}

function show(badge: HTMLElement, state: string, label: string): void {
  badge.dataset.state = state;
  const text = badge.querySelector<HTMLElement>(".badge-text") ?? badge;
  text.textContent = label;
}
