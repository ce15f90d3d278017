/**
 * The landing page's "Dashboards you know": a link per dashboard this browser created or
 * opened (see known-dashboards.ts), most recent first, or a note while there are none.
 */
import { dashboardAddress } from "./curl-commands.ts";
import { knownDashboards } from "./known-dashboards.ts";

/** Replaces `list`'s items with the remembered dashboards; `empty` shows only when there are none. */
export function showKnownDashboards(list: HTMLElement, empty: HTMLElement, origin: string): void {
  const known = knownDashboards();
  list.replaceChildren(
    ...known.map((dashboard) => {
      const item = document.createElement("li");
      item.dataset.dashboardId = dashboard.id;
      const link = document.createElement("a");
      link.href = dashboardAddress(origin, encodeURIComponent(dashboard.id));
      link.textContent = dashboard.title;
      item.append(link);
      if (dashboard.title !== dashboard.id) item.append(" ", Object.assign(document.createElement("code"), { textContent: dashboard.id }));
      // The key is never stored (see known-dashboards.ts), so say why the page may refuse.
      if (dashboard.private) item.append(" ", Object.assign(document.createElement("span"), { className: "tag", textContent: "private" }));
      return item;
    }),
  );
  list.hidden = known.length === 0;
  empty.hidden = known.length > 0;
}
