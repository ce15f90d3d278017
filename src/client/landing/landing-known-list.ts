/**
 * The landing page's "Dashboards you know": a link per dashboard this browser created or
 * opened (see known-dashboards.ts), most recent first, each with a Forget button, or a note
 * while there are none. A private dashboard's link carries its kept view key in the fragment,
 * which browsers never send to a server, so it opens as it did before.
 */
import { dashboardAddress } from "./curl-commands.ts";
import { forgetDashboard, knownDashboards, type KnownDashboard } from "./known-dashboards.ts";

function item(dashboard: KnownDashboard, origin: string, onForget: (id: string) => void): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.dashboardId = dashboard.id;
  const link = document.createElement("a");
  const address = dashboardAddress(origin, encodeURIComponent(dashboard.id));
  link.href = dashboard.viewKey === undefined ? address : `${address}#${new URLSearchParams({ key: dashboard.viewKey })}`;
  link.textContent = dashboard.title;
  item.append(link);
  if (dashboard.title !== dashboard.id) item.append(" ", Object.assign(document.createElement("code"), { textContent: dashboard.id }));
  if (dashboard.private) {
    // Without a kept key (opened before keys were kept, or the key was refused), say why the page may refuse.
    const tag = dashboard.viewKey === undefined ? "private, key not kept" : "private";
    item.append(" ", Object.assign(document.createElement("span"), { className: "tag", textContent: tag }));
  }
  const forget = document.createElement("button");
  forget.type = "button";
  forget.className = "link-button";
  forget.textContent = "Forget";
  forget.setAttribute("aria-label", dashboard.viewKey === undefined ? `Forget ${dashboard.id}` : `Forget ${dashboard.id} and its view key`);
  forget.addEventListener("click", () => onForget(dashboard.id));
  item.append(" ", forget);
  return item;
}

/** Replaces `list`'s items with the remembered dashboards; `empty` shows only when there are none. */
export function showKnownDashboards(list: HTMLElement, empty: HTMLElement, origin: string): void {
  const known = knownDashboards();
  const onForget = (id: string) => {
    forgetDashboard(id);
    showKnownDashboards(list, empty, origin);
    // The button is gone with its item: the list's heading (or the note) keeps the reader in place.
    (list.hidden ? empty : list).focus();
  };
  list.replaceChildren(...known.map((dashboard) => item(dashboard, origin, onForget)));
  list.hidden = known.length === 0;
  empty.hidden = known.length > 0;
}
