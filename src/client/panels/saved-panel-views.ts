/** Picks the view class for a saved panel's type. */
import type { Panel } from "../../common/dashboard-config.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { DerivedPanelView } from "./derived-panel.ts";
import { GaugePanel } from "./gauge-panel.ts";
import { LinePanel } from "./line-panel.ts";
import type { SavedPanelView } from "./saved-panel.ts";
import { StatPanel } from "./stat-panel.ts";
import { TablePanel } from "./table-panel.ts";
import type { TimeWindow } from "../dashboard/time-window.ts";

/**
 * `window` sets the span of time the line charts show. A panel with a transform or an
 * aggregate shows the series it works out (derived-panel.ts).
 */
export function createSavedPanelView(panel: Panel, theme: ChartTheme, window: TimeWindow): SavedPanelView {
  const view = typedView(panel, theme, window);
  return panel.transform || panel.aggregate ? new DerivedPanelView(panel, view) : view;
}

function typedView(panel: Panel, theme: ChartTheme, window: TimeWindow): SavedPanelView {
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
