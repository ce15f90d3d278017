/**
 * A `table` panel: one row per matching series, in key order, with its latest value in the
 * panel's unit and decimals, coloured by the thresholds. Rows change only when the layout
 * does; points only rewrite cell text, once per frame at most.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { formatPanelValue } from "./panel-value.ts";
import { savedPanelFrame, type PanelSource, type SavedPanelView, type SeriesRef } from "./saved-panel.ts";
import { paintThresholdColor, thresholdColor } from "./threshold-color.ts";

export class TablePanel implements SavedPanelView {
  readonly element: HTMLElement;
  #panel: Panel;
  #rows: HTMLTableSectionElement;
  #cells = new Map<string, HTMLTableCellElement>();

  constructor(panel: Panel) {
    this.#panel = panel;
    const { element, body } = savedPanelFrame(panel);
    this.element = element;
    const table = document.createElement("table");
    table.className = "series-table";
    const head = table.createTHead().insertRow();
    for (const label of ["Series", "Latest"]) {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = label;
      head.append(cell);
    }
    this.#rows = table.createTBody();
    body.append(table);
  }

  setSeries(series: readonly SeriesRef[]): void {
    const rows: HTMLTableRowElement[] = [];
    const cells = new Map<string, HTMLTableCellElement>();
    for (const { key } of series) {
      const row = document.createElement("tr");
      row.dataset.testid = "table-row";
      row.dataset.series = key;
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = key;
      name.title = key;
      // Keep the cell already showing a value so a relayout does not blank it until the next frame.
      const latest = this.#cells.get(key) ?? document.createElement("td");
      latest.dataset.testid = "latest";
      if (!latest.textContent) latest.textContent = "–";
      row.append(name, latest);
      rows.push(row);
      cells.set(key, latest);
    }
    this.#rows.replaceChildren(...rows);
    this.#cells = cells;
  }

  draw(source: PanelSource): void {
    for (const [key, cell] of this.#cells) {
      const latest = source.latest(key);
      const text = formatPanelValue(latest, this.#panel);
      if (cell.textContent !== text) cell.textContent = text;
      paintThresholdColor(cell, thresholdColor(this.#panel.thresholds, latest));
    }
  }

  restyle(): void {
    // HTML follows the palette through CSS.
  }

  destroy(): void {
    this.element.remove();
  }
}
