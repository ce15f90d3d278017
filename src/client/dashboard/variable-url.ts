/**
 * Template variable choices in the page's link, as Grafana writes them: `?var-host=b`, one
 * parameter per value chosen (`var-host=a&var-host=b`), `var-host=$__all` for All. Kept
 * beside whatever else the query string holds (the view of view-url.ts, `kiosk`) and the
 * fragment (a private dashboard's key), so a copied link or a reload shows the same choices.
 */

/** What starts a variable's parameter: `var-<name>`. */
export const VARIABLE_PARAM_PREFIX = "var-";

/** The choices `search` (a query string) names, by variable name, values in link order. */
export function readVariableChoices(search: string): Map<string, string[]> {
  const choices = new Map<string, string[]>();
  for (const [param, value] of new URLSearchParams(search)) {
    if (!param.startsWith(VARIABLE_PARAM_PREFIX) || param.length === VARIABLE_PARAM_PREFIX.length) continue;
    const name = param.slice(VARIABLE_PARAM_PREFIX.length);
    choices.set(name, [...(choices.get(name) ?? []), value]);
  }
  return choices;
}

/** `url` with `choices` as its `var-` parameters (every other `var-` one dropped), everything else kept. */
export function withVariableChoices(url: string, choices: ReadonlyMap<string, readonly string[]>): string {
  const next = new URL(url);
  const query = next.searchParams;
  for (const param of [...query.keys()]) if (param.startsWith(VARIABLE_PARAM_PREFIX)) query.delete(param);
  for (const [name, values] of choices) for (const value of values) query.append(`${VARIABLE_PARAM_PREFIX}${name}`, value);
  // `kiosk` is a flag: written bare, as people type it (view-url.ts does the same).
  const search = query.toString().replace(/(^|&)kiosk=(?=&|$)/, "$1kiosk");
  return `${next.pathname}${search === "" ? "" : `?${search}`}${next.hash}`;
}
