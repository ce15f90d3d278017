/**
 * Keyboard access to a uPlot legend: uPlot shows or hides a series when its legend label is
 * clicked, but the label is a plain table cell that the keyboard cannot reach. Each label's
 * content goes into a real `<button>` (Tab reaches it; Enter and Space click it, and the click
 * reaches uPlot's own handler on the cell), whose `aria-pressed` says whether the series is shown.
 */
import type uPlot from "uplot";

/**
 * Turns every series label of `chart`'s legend (not the time row) into a toggle button;
 * `legend` is the legend's table, wherever it is mounted.
 */
export function legendButtons(chart: uPlot, legend: HTMLElement): void {
  const rows = legend.querySelectorAll<HTMLTableRowElement>("tr.u-series");
  const buttons: (HTMLButtonElement | undefined)[] = [];
  rows.forEach((row, index) => {
    const label = row.querySelector("th");
    if (index === 0 || !label) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-toggle";
    button.append(...label.childNodes);
    label.append(button);
    buttons[index] = button;
  });
  const render = () => buttons.forEach((button, index) => button?.setAttribute("aria-pressed", String(chart.series[index]?.show !== false)));
  render();
  (chart.hooks.setSeries ??= []).push(render);
}
