/**
 * Entry of the dashboard page (public/dashboard.html, served for /d/<id>): look the
 * dashboard up, then open its viewer socket and draw its saved panels and every other series
 * live, resuming from the last sequence number held whenever the socket reconnects.
 *
 * DOM contract, relied on by test/e2e; keep it stable:
 * - `[data-testid="connection"]`: connection badge; `data-state` is one of `connecting`,
 *   `live`, `reconnecting`, `offline`, and its text says the same for people.
 * - `[data-testid="viewers"]`: text is the number of connected viewers.
 * - `[data-testid="panel"]` with `data-series="<series key>"`: one automatic panel per series
 *   that no saved panel matches (every series when none are saved), containing
 *   `[data-testid="latest"]` whose text is the formatted latest value (raw number in
 *   `data-value`).
 * - `[data-testid="saved-panel"]` with `data-panel-id` and `data-panel-type`: one per saved
 *   panel, in saved order, before the automatic panels; rebuilt live when the list changes.
 *   - `line`: `data-series-keys` on the panel lists its series keys, comma-separated.
 *   - `stat`: `[data-testid="stat-value"]`, text the formatted latest value with its unit;
 *     `data-color` the threshold colour in force (`#rrggbb`), empty below every threshold.
 *   - `gauge`: `[data-testid="gauge-value"]`, same text and `data-color` as a stat.
 *   - `table`: `[data-testid="table-row"]` with `data-series="<series key>"` per series,
 *     containing `[data-testid="latest"]` (formatted latest value, `data-color` as a stat).
 * - `[data-testid="not-found"]`: shown instead of charts when the dashboard does not exist.
 * - `[data-testid="empty"]`: shown while the dashboard has no series.
 * - `[data-testid="failed"]`: shown when the dashboard could not be loaded.
 * - `window.__pulseboard.points(key)`: copy of the page's `{ ts, values }` for a series
 *   (see debug-hook.ts).
 */
import type { ServerMessage } from "../shared/protocol.ts";
import { Connection } from "./connection.ts";
import { showConnectionState } from "./connection-badge.ts";
import { lookUpDashboard } from "./dashboard-api.ts";
import { parseDashboardPath, viewerSocketUrl } from "./dashboard-id.ts";
import { emptyNotice, failedNotice, notFoundNotice } from "./dashboard-notices.ts";
import { exposeDebugHook } from "./debug-hook.ts";
import { PanelGrid } from "./panel-grid.ts";
import { SeriesStore } from "./series-store.ts";
import { parseServerMessage } from "./server-message.ts";

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`dashboard.html lacks #${id}`);
  return found;
}

const badge = element("connection");
const viewers = element("viewers");
const title = element("title");
const notices = element("notices");
const grid = element("grid");

function showTitle(text: string): void {
  title.textContent = text;
  document.title = `${text} · Pulseboard`;
}

function showNotice(notice: HTMLElement | undefined): void {
  notices.replaceChildren(...(notice ? [notice] : []));
}

async function main(): Promise<void> {
  const path = parseDashboardPath(location.pathname);
  const id = path?.id ?? location.pathname;
  showTitle(id);

  const lookup = path?.valid ? await lookUpDashboard(path.id) : ({ kind: "not-found" } as const);
  if (lookup.kind !== "found") {
    showConnectionState(badge, "offline");
    showNotice(
      lookup.kind === "not-found" ? notFoundNotice(location.origin, id, path?.valid ?? false) : failedNotice(lookup.message),
    );
    return;
  }

  const { dashboard } = lookup;
  showTitle(dashboard.title || dashboard.id);
  viewers.textContent = String(dashboard.viewers);

  const store = new SeriesStore();
  exposeDebugHook(store);
  const panels = new PanelGrid(grid, store, (count) => showNotice(count === 0 ? emptyNotice(location.origin, dashboard.id) : undefined));
  panels.setPanels(dashboard.panels);
  panels.reserve(dashboard.series);

  const handle = (message: ServerMessage): void => {
    switch (message.type) {
      case "hello":
        showTitle(message.title || message.dashboard);
        viewers.textContent = String(message.viewers);
        // Panels may have changed while the socket was down; an unchanged list is a no-op.
        panels.setPanels(message.panels);
        break;
      case "config":
        // Someone saved the dashboard: relayout in place; the data stays in the store.
        showTitle(message.title);
        panels.setPanels(message.panels);
        break;
      case "snapshot":
        panels.apply(store.applySnapshot(message.seq, message.series));
        break;
      case "points":
        panels.apply(store.applyPoints(message.from, message.to, message.series));
        break;
      case "resumed":
        store.applyResumed(message.seq);
        break;
      case "viewers":
        viewers.textContent = String(message.count);
        break;
      case "error":
        console.warn(`pulseboard: server error ${message.code}: ${message.message}`);
        break;
      case "subscribed":
      case "history":
        // Answers to requests this page does not make (it watches every series).
        break;
    }
  };

  // After a drop, resume from the last position held: the server replays only what was
  // missed (or sends a fresh snapshot if it no longer has it).
  new Connection(() => viewerSocketUrl(dashboard.id, store.resumePoint), {
    onState: (state) => showConnectionState(badge, state),
    onText: (text) => {
      const message = parseServerMessage(text);
      if (message) handle(message);
    },
  });
}

void main();
