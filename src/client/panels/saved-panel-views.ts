/** Picks the view class for a saved panel's type. */
import type { Panel } from "../../common/dashboard-config.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { GaugePanel } from "./gauge-panel.ts";
import { LinePanel } from "./line-panel.ts";
import type { SavedPanelView } from "./saved-panel.ts";
import { StatPanel } from "./stat-panel.ts";
import { TablePanel } from "./table-panel.ts";
import type { TimeWindow } from "../dashboard/time-window.ts";

/** `window` sets the span of time the line charts show. */
export function createSavedPanelView(panel: Panel, theme: ChartTheme, window: TimeWindow): SavedPanelView {
  switch (panel.type) {
    case "line":
      return new LinePanel(panel, theme, window);
    case "stat":
      return new StatPanel(panel);
    case "gauge":
      return new GaugePanel(panel);
    case "table":
      return new TablePanel(panel);
  }
}
