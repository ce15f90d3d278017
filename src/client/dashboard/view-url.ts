/**
 * The view a link reopens: the time range picked and the stretch zoomed into, kept in the
 * page's query string (`?range=1h&from=<ms>&to=<ms>`) as they change, beside whatever else
 * it holds (`kiosk`) and the fragment (a private dashboard's key), so a copied link or a
 * reload shows the same view. A link with a stretch zoomed into shows that stretch, held, as
 * a zoom does.
 */
import { RANGES } from "./time-window.ts";
import { RECENT } from "./range-picker.ts";

/** What a link says of the view. */
export interface ViewState {
  /** A range picker value (`recent`, `5m`, `1h`, ...). */
  range: string;
  /** The stretch zoomed into, ms, when one is. */
  zoom?: { min: number; max: number };
}

/** The view `search` (a query string) asks for; anything it does not say, or says wrongly, is the default. */
export function readViewState(search: string): ViewState {
  const query = new URLSearchParams(search);
  const asked = query.get("range");
  const range = asked !== null && RANGES.some((r) => r.value === asked) ? asked : RECENT;
  const from = Number(query.get("from"));
  const to = Number(query.get("to"));
  const whole = (n: number) => query.has("from") && query.has("to") && Number.isSafeInteger(n) && n >= 0;
  return whole(from) && whole(to) && to > from ? { range, zoom: { min: from, max: to } } : { range };
}

/** `url` with `state` in its query string (the defaults left out), everything else kept. */
export function withViewState(url: string, state: ViewState): string {
  const next = new URL(url);
  const query = next.searchParams;
  for (const name of ["range", "from", "to"]) query.delete(name);
  if (state.range !== RECENT) query.set("range", state.range);
  if (state.zoom) {
    query.set("from", String(Math.floor(state.zoom.min)));
    query.set("to", String(Math.ceil(state.zoom.max)));
  }
  // `kiosk` is a flag: written bare, as people type it.
  return `${next.pathname}${query.toString().replace(/(^|&)kiosk=(?=&|$)/, "$1kiosk").replace(/^(.)/, "?$1")}${next.hash}`;
}
