/**
 * The view a link reopens: the time range picked and the stretch zoomed into, kept in the
 * page's query string (`?range=1h&from=<ms>&to=<ms>`) as they change, beside whatever else
 * it holds (`kiosk`) and the fragment (a private dashboard's key), so a copied link or a
 * reload shows the same view. A link with a stretch zoomed into shows that stretch, held, as
 * a zoom does. An absolute range is `?range=absolute&from=<ms>&to=<ms>` (a zoom inside it is
 * written the same way: the stretch shown); a paused page adds the flag `paused`.
 */
import { RANGES } from "./time-window.ts";
import { ABSOLUTE, RECENT } from "./range-picker.ts";

/** What a link says of the view. */
export interface ViewState {
  /** A range picker value (`recent`, `5m`, `1h`, ...). */
  range: string;
  /** The stretch zoomed into, ms, when one is; for `absolute`, the absolute range (always there). */
  zoom?: { min: number; max: number };
  /** Present, and true, when the page is paused (the Pause toggle pressed). */
  paused?: true;
}

/** The values of the `paused` flag that mean paused: written bare, or as a yes; anything else is live. */
const PAUSED_VALUES = ["", "1", "true"];

/** The view `search` (a query string) asks for; anything it does not say, or says wrongly, is the default. */
export function readViewState(search: string): ViewState {
  const query = new URLSearchParams(search);
  const asked = query.get("range");
  const from = Number(query.get("from"));
  const to = Number(query.get("to"));
  const whole = (n: number) => query.has("from") && query.has("to") && Number.isSafeInteger(n) && n >= 0;
  const zoom = whole(from) && whole(to) && to > from ? { min: from, max: to } : undefined;
  // An absolute range is its from and to: without a valid pair, the default range.
  const known = asked !== null && (RANGES.some((r) => r.value === asked) || (asked === ABSOLUTE && zoom !== undefined));
  const range = known ? asked : RECENT;
  const paused = PAUSED_VALUES.includes(query.get("paused") ?? "-") ? { paused: true as const } : {};
  return zoom ? { range, zoom, ...paused } : { range, ...paused };
}

/** `url` with `state` in its query string (the defaults left out), everything else kept. */
export function withViewState(url: string, state: ViewState): string {
  const next = new URL(url);
  const query = next.searchParams;
  for (const name of ["range", "from", "to", "paused"]) query.delete(name);
  if (state.range !== RECENT) query.set("range", state.range);
  if (state.zoom) {
    query.set("from", String(Math.floor(state.zoom.min)));
    query.set("to", String(Math.ceil(state.zoom.max)));
  }
  if (state.paused) query.set("paused", "");
  // `kiosk` and `paused` are flags: written bare, as people type them.
  return `${next.pathname}${query.toString().replace(/(^|&)(kiosk|paused)=(?=&|$)/g, "$1$2").replace(/^(.)/, "?$1")}${next.hash}`;
}
