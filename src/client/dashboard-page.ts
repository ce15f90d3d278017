/**
 * Entry of the dashboard page (public/dashboard.html, served for /d/<id>): look the
 * dashboard up (with a private dashboard's view key from the link), then open its viewer
 * socket and draw its saved panels and every other series live, resuming from the last
 * sequence number held whenever the socket reconnects.
 *
 * DOM contract, relied on by test/e2e; keep it stable:
 * - `[data-testid="connection"]`: connection badge; `data-state` is one of `connecting`,
 *   `live`, `reconnecting`, `offline`, and its text says the same for people; or `refused`
 *   when the server answered but will not show this dashboard (unknown, or private without
 *   the right view key), its text then saying why (`Not found`, `Key needed`, `Key refused`).
 * - `?kiosk` in the address (`/d/<id>?kiosk`), for wall screens: `body.kiosk`, no header but
 *   the connection badge, small in a corner; no controls (range, Edit, Pause), so it stays
 *   live (a `paused` flag in its link is ignored and dropped); the grid takes the whole window.
 *   A range, an absolute range or a zoom in its link is shown as on any page, without the
 *   "Jump to now" bar.
 * - `[data-testid="viewers"]`: text is the number of connected viewers.
 * - `[data-testid="panel"]` with `data-metric="<name>"` and `data-series-keys` (its series
 *   keys, comma-separated, in key order): one automatic panel per metric name, holding every
 *   series of that name that no saved panel matches (every series when none are saved), after
 *   the saved panels, in name order. It holds one `[data-testid="latest"]` with
 *   `data-series="<series key>"` per series, text the formatted latest value (raw number in
 *   `data-value`): in the header for a lone series (titled with its key, as before), in the
 *   legend row (`tr.u-series[data-series]`, as a line panel's, below) of each series when
 *   several share the chart (reading the value under the cursor while it is on the chart).
 * - `[data-testid="saved-panels"]`: the saved panels' 12-column grid, first in `#grid`, before
 *   the automatic panels (one column below 768 px wide).
 * - `[data-testid="saved-panel"]` with `data-panel-id` and `data-panel-type`: one per saved
 *   panel, each in a cell of that grid, in reading order (top to bottom, then left to right;
 *   without layouts, saved order); rebuilt live when the list changes, moved in place when
 *   only the layouts change. `data-layout` is the place shown, `x,y,w,h` in grid cells
 *   (panels/panel-placement.ts places panels saved without one).
 *   - `line`: `data-series-keys` on the panel lists its series keys, comma-separated.
 *   - A panel with `transform` or `aggregate` shows the series it works out on the page
 *     (panels/derived-panel.ts) in place of those it matches, keyed e.g. `sum(rate){region=eu}`
 *     (README, "Panels"), wherever the panel's type names series (`data-series-keys`, rows).
 *   - `stat`: `[data-testid="stat-value"]`, text the formatted latest value with its unit;
 *     `data-color` the threshold colour in force (`#rrggbb`), empty below every threshold.
 *   - `gauge`: `[data-testid="gauge-value"]`, same text and `data-color` as a stat.
 *   - `table`: `[data-testid="table-row"]` with `data-series="<series key>"` per series,
 *     containing `[data-testid="latest"]` (formatted latest value, `data-color` as a stat).
 * - A panel (of either kind) more than half a screen out of view is not redrawn: its values and
 *   chart data stay as last drawn until it is scrolled near, then catch up on the next frame.
 * - `[data-testid="not-found"]`: shown instead of charts when the dashboard does not exist.
 * - `[data-testid="empty"]`: shown while the dashboard has no series.
 * - `[data-testid="failed"]`: shown when the dashboard could not be loaded.
 * - `[data-testid="private"]`: shown instead of charts when the dashboard is private and the
 *   page has no view key (the link lacks `#key=<view key>`); no socket is opened.
 * - `[data-testid="wrong-key"]`: shown instead of charts when the view key is refused; no
 *   socket is opened.
 * - `[data-testid="view-key-form"]`: in both, a field (`#view-key`) and a submit button that
 *   load the page again with the key entered.
 * - A page whose socket is down asks the HTTP API every 10 s or so whether it is now refused
 *   (the dashboard is gone, or its key no longer holds); if so it stops retrying, hides the
 *   grid and shows the same notice and badge as on first load.
 * - `[data-testid="landing-link"]`: in the not-found notice, a link to the landing page.
 * - `[data-testid="staleness"]`: how long ago the last data frame arrived, e.g. `updated 3 s
 *   ago` (`waiting for data` before the first); `data-updated-at` is that time in ms.
 * - `[data-testid="resume-notice"]`: shown after a reconnect, e.g. `Back online: 37 missed
 *   points filled in`, or that the view was reloaded when the gap was too old to replay.
 * - `[data-testid="pause"]`: a toggle button, `aria-pressed` and `data-paused` say whether the
 *   charts are frozen; frames still arrive and are stored (so `window.__pulseboard` sees
 *   them) but panels, including their latest values, change only after resuming.
 *   Resuming also goes back to following now.
 * - `[data-testid="range"]`: the time range `<select>`: `recent` (the points held, default),
 *   `5m`, `1h`, `6h`, `24h`, `7d`. A fixed range pins the line charts' x axis to
 *   [now − range, now] (any zoom ends) and loads the history route's buckets (their `avg`)
 *   for the older part; `data-loaded` is the value whose history is drawn (`recent` needs
 *   none), `data-source` the route's `raw` or `rollup`. While an absolute range is shown its
 *   value is `absolute` (a hidden, disabled option reading "Custom range").
 * - `[data-testid="time-picker-open"]`: the calendar button (named "Custom range…", a dialog
 *   opener) beside the range; while an absolute range is shown, `data-from`/`data-to` hold its
 *   ends in ms and its text (after a screen-reader-only "Custom range: ") reads it on the
 *   24-hour clock, e.g. `Nov 28 14:00 – Nov 28 16:00`.
 * - `[data-testid="time-picker"]`: its `<dialog>`: `[data-testid="time-picker-zone"]` names the
 *   browser's time zone (`Europe/Berlin (UTC+01:00)`); `time-from-date`/`time-to-date` are
 *   `<input type="date">` (`YYYY-MM-DD`), `time-from-time`/`time-to-time` text fields for
 *   `HH:MM[:SS]` on the 24-hour clock; `time-from-error`/`time-to-error` say what is wrong
 *   with each end (the field at fault has `aria-invalid="true"` and the focus);
 *   `time-picker-apply` shows the range (held, its history loaded at a fixed range's step, as
 *   a zoom inside a fixed range loads it), `time-picker-cancel` and Escape close it. It opens
 *   on the span shown. A range wholly in the future, or ending before it starts, is refused.
 * - The address keeps the view (dashboard/view-url.ts): `?range=<value>` (absent: `recent`),
 *   `from=<ms>&to=<ms>` (the stretch zoomed into; with `range=absolute`, the absolute range
 *   shown), and the flag `paused` while paused; a value it cannot use falls back to the
 *   default (recent points, live) and leaves the address once the page shows it.
 * - Time charts (automatic panels and saved line panels): dragging across one zooms every
 *   time chart to that stretch (inside a fixed range, loading its history at a finer step);
 *   live points keep arriving but the x axis stays put. A double-click on a chart goes back
 *   to following now, resuming a paused page. Each chart's canvas has `role="img"` and an `aria-label`. Its plot's
 *   holder, `.time-chart`, is a focusable `role="group"` with the same `aria-label` and an
 *   `aria-describedby` naming the mouse and the keys: focused, `+`/`=` halves the span
 *   around its centre, `-` doubles it, ArrowLeft/ArrowRight move it a quarter (never past
 *   now), Escape/`0` go back to following now (resuming a paused page, like a double-click);
 *   every chart moves together, as with a drag.
 * - A line panel's legend (`.u-legend`): one `tr.u-series` per series, in key order, whose
 *   `.legend-toggle` button (`aria-pressed`: series shown) holds the key in `.u-label`, and
 *   whose `.u-value` reads the series' latest value in the panel's unit and decimals while
 *   the cursor is off the chart, the exact value under it otherwise. The panel header's
 *   `[data-testid="cursor-time"]` reads the time under the cursor, empty off the chart.
 * - `[data-testid="jump-to-now"]`: the "Jump to now" button, shown while the charts do not
 *   follow now (zoomed or paused); pressing it resumes and follows now with the range picked.
 *   `[data-testid="follow-state"]` says what is shown instead (`Zoomed: <from> – <to>`,
 *   `Range: <from> – <to>` for an absolute range, `Paused`), empty while following. Going
 *   back to now from an absolute range shows the relative range picked before it.
 * - `#title` (the `<h1>`) and the document title show the dashboard's title, live.
 * - `[data-testid="variables"]`: the template variables' dropdowns, a line of the header of
 *   their own (hidden without variables, and in kiosk, where the link's choices still hold). Each is a
 *   `[data-testid="variable"]` with `data-variable="<name>"` and `data-chosen` (the choice as
 *   a JSON array: values, or `["$__all"]` for All), holding either a labelled
 *   `[data-testid="variable-select"]` `<select>` (one value; option values are the tag values,
 *   `$__all` for All) or, for a variable taking several, a `<details>` whose `<summary>` reads
 *   the choice and whose `[data-testid="variable-option"]` checkboxes have the values (and
 *   `$__all`) as `value`. A choice re-lays the saved panels out at once from the data held,
 *   with `$name` in their series and titles replaced; the link keeps it as
 *   `?var-<name>=<value>` (repeated for several, `$__all` for All; variable-url.ts). A value
 *   a link names that no series has is kept chosen, offered as `<value> (no data)`. A series
 *   a saved panel shows for another choice gets no automatic panel.
 * - `[data-testid="edit"]` and the editor (its token prompt, the dashboard title and panels,
 *   each panel's live preview): see editor/panel-editor.ts.
 * - `[data-testid="arrange"]` and the bar for moving and resizing panels: see arrange/arrange-control.ts.
 * - `[data-testid="tokens"]` opens the Tokens dialog (dashboard/token-manager.ts), whose
 *   `[data-testid="delete-dashboard"]` opens `[data-testid="dashboard-deleter"]`, a dialog with `[data-testid="delete-token"]` (the edit or admin token),
 *   `[data-testid="delete-confirm-id"]` (the id, typed), `[data-testid="delete-submit"]`
 *   (`Deleting…` and disabled while under way; `[data-testid="delete-progress"]` says so),
 *   `[data-testid="delete-error"]` and `[data-testid="delete-cancel"]`. Once deleted, the
 *   page shows the not-found notice, headed by `[data-testid="deleted"]`.
 * - `window.__pulseboard.drawn(key)`: what the automatic panel showing series `key` draws of
 *   it, `{ ts, values, xMin, xMax }` (see dashboard/debug-hook.ts).
 * - `window.__pulseboard.timeCharts()`: every time chart's x span, keyed `saved:<panel id>` or
 *   `metric:<name>`, see dashboard/debug-hook.ts.
 * - `window.__pulseboard.computed(id)`: the series saved panel `id` works out (transform or
 *   aggregate), `[{ key, ts, values }]` (see dashboard/debug-hook.ts).
 * - `window.__pulseboard.points(key)`: copy of the page's `{ ts, values }` for a series
 *   (see dashboard/debug-hook.ts).
 */
import type { Panel } from "../common/dashboard-config.ts";
import type { ServerMessage } from "../common/protocol.ts";
import { Connection } from "./connection/connection.ts";
import { showConnectionState, showRefused } from "./connection/connection-badge.ts";
import { lookUpDashboard, type DashboardLookup } from "./dashboard/dashboard-api.ts";
import { parseDashboardPath, viewerSocketUrl } from "./dashboard/dashboard-id.ts";
import { emptyNotice, failedNotice, notFoundNotice, privateNotice, wrongKeyNotice } from "./dashboard/dashboard-notices.ts";
import { exposeDebugHook } from "./dashboard/debug-hook.ts";
import { JumpToNow } from "./dashboard/jump-to-now.ts";
import { LazyEditor } from "./editor/lazy-editor.ts";
import { LazyArrange } from "./arrange/lazy-arrange.ts";
import { PanelGrid } from "./panels/panel-grid.ts";
import { PauseControl } from "./dashboard/pause-control.ts";
import { followRangePicker } from "./dashboard/range-history.ts";
import { RefusalWatch } from "./connection/refusal-watch.ts";
import { ResumeNotice, reloadedText, resumedText } from "./connection/resume-notice.ts";
import { SeriesStore } from "./dashboard/series-store.ts";
import { StoreChanges } from "./dashboard/store-changes.ts";
import { parseServerMessage } from "./connection/server-message.ts";
import { StalenessLabel } from "./dashboard/staleness-label.ts";
import { TimeWindow } from "./dashboard/time-window.ts";
import { forgetViewKey, takeViewKey, viewerProtocols } from "./dashboard/view-key.ts";
import { forgetKnownViewKey, rememberDashboard } from "./landing/known-dashboards.ts";
import { AnnotationFeed } from "./dashboard/annotation-feed.ts";
import { Annotator } from "./dashboard/annotator.ts";
import { TokenManager } from "./dashboard/token-manager.ts";
import { DashboardDeleter, deletedNote } from "./dashboard/dashboard-deleter.ts";
import type { Refusal } from "./connection/refusal-watch.ts";
import { readViewState, withViewState } from "./dashboard/view-url.ts";
import { ABSOLUTE } from "./dashboard/range-picker.ts";
import { TimePicker } from "./dashboard/time-picker.ts";
import { VariableView } from "./dashboard/variable-view.ts";
import type { Variable } from "../common/template-variables.ts";

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
const staleness = element("staleness");
const toasts = element("toasts");
const pause = element("pause") as HTMLButtonElement;
const jump = element("jump-to-now") as HTMLButtonElement;
const followState = element("follow-state");
const range = element("range") as HTMLSelectElement;
const edit = element("edit") as HTMLButtonElement;
const editor = element("editor");
const arrange = element("arrange") as HTMLButtonElement;
const arranger = element("arranger");

// A wall screen: the stylesheet drops the header's chrome and controls (see styles.css).
const kiosk = new URLSearchParams(location.search).has("kiosk");
if (kiosk) document.body.classList.add("kiosk");

function showTitle(text: string): void {
  title.textContent = text;
  document.title = `${text} · Pulseboard`;
}

function showNotice(notice: HTMLElement | undefined): void {
  notices.replaceChildren(...(notice ? [notice] : []));
}

/** A key typed into a refusal notice: put in the link's fragment, where the page takes keys from, and load again. */
function tryViewKey(key: string): void {
  history.replaceState(history.state, "", `${location.pathname}${location.search}#${new URLSearchParams({ key })}`);
  location.reload();
}

/**
 * What to show instead of charts when the lookup found nothing to draw. A refusal (unknown
 * dashboard, missing or wrong view key) is an answer from a server that is up, so the badge
 * says what was refused rather than "Offline"; only a failed lookup reads as offline.
 */
function showRefusal(lookup: Exclude<DashboardLookup, { kind: "found" }>, id: string, valid: boolean): void {
  switch (lookup.kind) {
    case "not-found":
      showRefused(badge, "Not found");
      return showNotice(notFoundNotice(location.origin, id, valid));
    case "private":
      showRefused(badge, "Key needed");
      return showNotice(privateNotice(tryViewKey));
    case "wrong-key":
      showRefused(badge, "Key refused");
      return showNotice(wrongKeyNotice(tryViewKey));
    case "failed":
      showConnectionState(badge, "offline");
      return showNotice(failedNotice(lookup.message));
  }
}

/** The span of time the charts show now: the zoomed stretch, the range picked, or the points held (and up to now). */
function shownSpan(timeWindow: TimeWindow, panels: PanelGrid): { from: number; to: number } {
  const now = Date.now();
  const zoom = timeWindow.zoom;
  if (zoom) return { from: zoom.min, to: zoom.max };
  if (timeWindow.span !== undefined) return { from: now - timeWindow.span, to: now };
  const shown = panels.timeCharts().flatMap(({ shown }) => (shown.xMin === undefined || shown.xMax === undefined ? [] : [shown]));
  if (shown.length === 0) return { from: now - 3_600_000, to: now };
  return { from: Math.min(...shown.map((s) => s.xMin!)), to: Math.max(now, ...shown.map((s) => s.xMax!)) };
}

async function main(): Promise<void> {
  const path = parseDashboardPath(location.pathname);
  const id = path?.id ?? location.pathname;
  showTitle(id);

  const viewKey = path?.valid ? takeViewKey(path.id) : undefined;
  const lookup = path?.valid ? await lookUpDashboard(path.id, viewKey) : ({ kind: "not-found" } as const);
  if (lookup.kind !== "found") {
    if (lookup.kind === "wrong-key") {
      forgetViewKey(id);
      forgetKnownViewKey(id);
    }
    showRefusal(lookup, id, path?.valid ?? false);
    return;
  }

  const { dashboard } = lookup;
  // The landing page lists the dashboards this browser has opened, a private one with the key it opened with.
  rememberDashboard(dashboard.id, dashboard.title, dashboard.private, viewKey);
  showTitle(dashboard.title || dashboard.id);
  viewers.textContent = String(dashboard.viewers);

  const age = new StalenessLabel(staleness);
  const resumeNotice = new ResumeNotice(toasts);
  const store = new SeriesStore();
  // What each frame changed reaches the grid, and the editor's preview while one is shown.
  const storeChanges = new StoreChanges();
  const timeWindow = new TimeWindow();
  const panels = new PanelGrid(grid, store, timeWindow, (count) => showNotice(count === 0 ? emptyNotice(location.origin, dashboard.id) : undefined));
  // Saved panels are shown through the template variables' choices.
  const variables = new VariableView(element("variables"), (shown) => panels.setPanels(shown));
  variables.learn(dashboard.series);
  variables.configure(dashboard.panels, dashboard.variables);
  // The panel list and variables as last saved (by anyone), which arranging saves again with new places.
  let savedPanels: readonly Panel[] = dashboard.panels;
  let savedVariables: readonly Variable[] | undefined = dashboard.variables;
  const showSaved = (config: { panels: readonly Panel[]; variables?: readonly Variable[] }) => {
    savedPanels = config.panels;
    savedVariables = config.variables;
    variables.configure(config.panels, config.variables);
  };
  const panelEditor = new LazyEditor(
    edit,
    editor,
    {
      dashboardId: dashboard.id,
      seriesKeys: () => store.keys().sort(),
      preview: { store, window: timeWindow, onStoreChange: (listener) => storeChanges.listen(listener), shown: (panel) => variables.shown(panel) },
      onSaved: (saved) => {
        showTitle(saved.title || dashboard.id);
        showSaved(saved);
      },
    },
    dashboard,
  );
  new LazyArrange(arrange, arranger, panels.savedLayout, {
    dashboardId: dashboard.id,
    savedPanels: () => savedPanels,
    onSaved: (saved) => showSaved({ panels: saved.panels, variables: savedVariables }),
  });
  panels.reserve(dashboard.series);
  exposeDebugHook(store, { drawn: (key) => panels.drawn(key), timeCharts: () => panels.timeCharts(), computed: (id) => panels.computed(id) });

  // One view for every chart: a drag on any chart zooms them all; "Jump to now", a double-click
  // on a chart, Escape on a focused one, a new range and "Resume live" all go back to following
  // now. Each of those but a new range also resumes a paused page: now is live.
  const pauseControl = new PauseControl(pause, (paused) => {
    panels.setPaused(paused);
    if (!paused) timeWindow.followNow();
    showFollowing();
    writeView();
  });
  timeWindow.onNowAsked(() => pauseControl.resume());
  const jumpToNow = new JumpToNow({
    button: jump,
    state: followState,
    focusAfter: range,
    onJump: () => timeWindow.followNow(),
  });
  const showFollowing = () => jumpToNow.show({ zoom: timeWindow.zoom, paused: pauseControl.paused, absolute: timeWindow.absolute !== undefined });
  timeWindow.onZoomChange(showFollowing);

  // The view a link names (range, stretch zoomed into or absolute range, paused), applied once
  // the first snapshot says which series there are; from then on the link follows the view.
  // A kiosk page has no Pause to undo a pause with, so it stays live whatever its link says.
  const linked = readViewState(location.search);
  let viewApplied = false;
  const writeView = () => {
    if (!viewApplied) return;
    const zoom = timeWindow.zoom;
    // Leaving an absolute range: the relative one picked next writes the link once drawn.
    if (range.value === ABSOLUTE && !zoom) return;
    const paused = pauseControl.paused && !kiosk ? { paused: true as const } : {};
    history.replaceState(history.state, "", withViewState(location.href, { range: range.value, ...(zoom ? { zoom } : {}), ...paused }));
  };
  const linkedViewApplied = () => {
    viewApplied = true;
    // Paused once the view is drawn (the grid draws on the next frame; this frame callback,
    // asked for after it, runs after it), so the frozen charts hold the linked view.
    if (linked.paused && !kiosk) requestAnimationFrame(() => pauseControl.pause());
  };
  const ranges = followRangePicker(range, {
    dashboardId: dashboard.id,
    viewKey,
    store,
    timeWindow,
    panels,
    onLoaded: (value) => {
      // The linked stretch once its range is drawn (picking a range goes back to now); a
      // range picked before the linked one was drawn replaces the link's view.
      if (!viewApplied) {
        linkedViewApplied();
        if (value === linked.range && linked.zoom && value !== ABSOLUTE) timeWindow.zoomTo(linked.zoom.min, linked.zoom.max);
      }
      writeView();
    },
  });
  timeWindow.onZoomChange(writeView);
  const applyLinkedView = () => {
    if (viewApplied) return;
    if (linked.range === ABSOLUTE && linked.zoom) return ranges.pickAbsolute(linked.zoom);
    if (linked.range !== range.value) return ranges.pick(linked.range);
    linkedViewApplied();
    if (linked.zoom) timeWindow.zoomTo(linked.zoom.min, linked.zoom.max);
    else writeView();
  };
  const timePicker = new TimePicker(
    {
      open: element("time-picker-open") as HTMLButtonElement,
      label: element("time-picker-label"),
      dialog: element("time-picker") as HTMLDialogElement,
      form: element("time-picker-form") as HTMLFormElement,
      zone: element("time-picker-zone"),
      fromDate: element("time-from-date") as HTMLInputElement,
      fromTime: element("time-from-time") as HTMLInputElement,
      toDate: element("time-to-date") as HTMLInputElement,
      toTime: element("time-to-time") as HTMLInputElement,
      fromError: element("time-from-error"),
      toError: element("time-to-error"),
      cancel: element("time-picker-cancel") as HTMLButtonElement,
    },
    () => shownSpan(timeWindow, panels),
    (picked) => ranges.pickAbsolute(picked),
  );
  timeWindow.onZoomChange(() => timePicker.show(timeWindow.absolute));
  new TokenManager(
    {
      open: element("tokens") as HTMLButtonElement,
      dialog: element("token-manager") as HTMLDialogElement,
      access: element("token-access") as HTMLInputElement,
      load: element("token-load") as HTMLButtonElement,
      list: element("token-rows") as HTMLTableSectionElement,
      form: element("token-form") as HTMLFormElement,
      name: element("token-name") as HTMLInputElement,
      scope: element("token-scope") as HTMLSelectElement,
      secret: element("token-secret"),
      error: element("token-error"),
      close: element("token-close") as HTMLButtonElement,
    },
    dashboard.id,
  );
  const annotations = new AnnotationFeed(dashboard.id, viewKey);
  timeWindow.showAnnotations(annotations);
  annotations.onChange(() => panels.redrawAll());
  new Annotator(
    {
      open: element("annotate") as HTMLButtonElement,
      dialog: element("annotator") as HTMLDialogElement,
      form: element("annotator-form") as HTMLFormElement,
      text: element("annotation-text") as HTMLTextAreaElement,
      time: element("annotation-time") as HTMLInputElement,
      token: element("annotation-token") as HTMLInputElement,
      error: element("annotation-error"),
      list: element("annotation-list") as HTMLUListElement,
      close: element("annotation-close") as HTMLButtonElement,
    },
    dashboard.id,
    annotations,
    () => shownSpan(timeWindow, panels),
  );

  const retitle = (text: string): void => {
    showTitle(text || dashboard.id);
    // The landing page lists this dashboard under the title it has now.
    rememberDashboard(dashboard.id, text, dashboard.private);
  };

  const handle = (message: ServerMessage): void => {
    switch (message.type) {
      case "hello":
        // The title and panels may have changed while the socket was down; an unchanged
        // list is a no-op. Annotations are read afresh: the socket does not replay them.
        void annotations.refresh();
        retitle(message.title);
        viewers.textContent = String(message.viewers);
        showSaved(message);
        panelEditor.setSaved(message);
        break;
      case "config":
        // Someone saved the dashboard: retitle and relayout in place; the data stays in the store.
        retitle(message.title);
        showSaved(message);
        panelEditor.setSaved(message);
        break;
      case "snapshot":
        variables.learn(message.series);
        panels.apply(storeChanges.emit(store.applySnapshot(message.seq, message.series)));
        applyLinkedView();
        age.markUpdated();
        if (message.reset) resumeNotice.show(reloadedText);
        break;
      case "points":
        variables.learn(message.series);
        panels.apply(storeChanges.emit(store.applyPoints(message.from, message.to, message.series)));
        age.markUpdated();
        break;
      case "resumed":
        store.applyResumed(message.seq);
        age.markUpdated();
        resumeNotice.show(resumedText(message.points));
        break;
      case "viewers":
        viewers.textContent = String(message.count);
        break;
      case "annotations":
        annotations.apply(message);
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

  // While the socket is down, ask whether the server now refuses this page (the dashboard is
  // gone, or the key no longer holds): then stop retrying and say so, as on first load.
  let deletedHere = false;
  const refused = (refusal: Refusal): void => {
    connection.close();
    if (refusal.kind === "wrong-key") forgetViewKey(dashboard.id);
    grid.hidden = true;
    showRefusal(refusal, dashboard.id, true);
    if (!deletedHere) return;
    // The Delete button that had the focus is gone: the note saying what happened takes it.
    const note = deletedNote(dashboard.id);
    notices.firstElementChild?.prepend(note);
    note.focus();
  };
  const refusals = new RefusalWatch(() => lookUpDashboard(dashboard.id, viewKey), refused);
  new DashboardDeleter(
    {
      open: element("delete-dashboard") as HTMLButtonElement,
      dialog: element("dashboard-deleter") as HTMLDialogElement,
      form: element("dashboard-deleter-form") as HTMLFormElement,
      id: element("dashboard-deleter-id"),
      token: element("delete-token") as HTMLInputElement,
      confirm: element("delete-confirm-id") as HTMLInputElement,
      error: element("delete-dashboard-error"),
      progress: element("delete-progress"),
      submit: element("delete-submit") as HTMLButtonElement,
      cancel: element("delete-cancel") as HTMLButtonElement,
    },
    dashboard.id,
    () => {
      deletedHere = true;
      refused({ kind: "not-found" });
    },
    () => (element("token-access") as HTMLInputElement).value.trim() || undefined,
  );

  // After a drop, resume from the last position held: the server replays only what was
  // missed (or sends a fresh snapshot if it no longer has it).
  const connection = new Connection(
    () => viewerSocketUrl(dashboard.id, store.resumePoint),
    {
      onState: (state) => {
        showConnectionState(badge, state);
        refusals.state(state);
      },
      onText: (text) => {
        const message = parseServerMessage(text);
        if (message) handle(message);
      },
      // Deleted (4404) or its key revoked (4403): said at once, from the HTTP API's answer.
      onClose: (code) => refusals.closedFor(code),
    },
    {},
    viewerProtocols(viewKey),
  );
}

void main();
