/**
 * What the editor's preview draws for a panel's draft: the panel as it would be saved, checked
 * with the same schema as Save (so the preview never draws something Save would refuse), or
 * the first reason it would be refused; and which of the page's series it would show.
 */
import { panelSchema, type Panel } from "../../common/dashboard-config.ts";
import { seriesMatcher } from "../../common/series-pattern.ts";
import { panelOf, type PanelDraft } from "./panel-draft.ts";

/** A draft as the preview sees it. */
export type DraftPreview =
  /** `panel` is what Save would send for it. */
  | { kind: "panel"; panel: Panel }
  /** `message` says why it would be refused, naming `field` (the draft's field, when one is to blame). */
  | { kind: "invalid"; message: string; field: string | undefined };

export function draftPreview(draft: PanelDraft): DraftPreview {
  const checked = panelSchema.safeParse(panelOf(draft));
  if (checked.success) return { kind: "panel", panel: checked.data };
  const issue = checked.error.issues[0]!;
  const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  // The schema's own messages mostly name their field ("decimals must be 0-10"); the others
  // ("Invalid input: expected number, received NaN") get it in front.
  const named = field === undefined || issue.message.toLowerCase().includes(field.replace(/s$/, "").toLowerCase());
  return { kind: "invalid", message: named ? issue.message : `${field}: ${issue.message}`, field };
}

/** A series the page holds, as a panel lists it. */
export interface SeriesName {
  /** Canonical series key. */
  key: string;
  /** Metric name. */
  name: string;
}

/** The series of `available` that `panel` shows, in key order (as the page's grid lists them). */
export function seriesShown(panel: Pick<Panel, "series">, available: Iterable<SeriesName>): SeriesName[] {
  const matches = seriesMatcher(panel.series);
  return [...available].filter((series) => matches(series)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
