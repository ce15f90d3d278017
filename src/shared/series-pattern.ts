/**
 * Series selection by name, key or glob: `*` matches any run of characters, `?` one
 * character. A pattern matches a series when it matches its name or its full key, so
 * `cpu.*` takes every `cpu.` metric with any tags and `cpu{host=a}` takes just that one.
 */
export type SeriesMatcher = (series: { key: string; name: string }) => boolean;

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${body}$`);
}

/** A matcher for any of `patterns`; `["*"]` matches everything. */
export function seriesMatcher(patterns: readonly string[]): SeriesMatcher {
  if (patterns.includes("*")) return () => true;
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)));
  const globs = patterns.filter((p) => /[*?]/.test(p)).map(globToRegExp);
  return ({ key, name }) => exact.has(key) || exact.has(name) || globs.some((glob) => glob.test(key) || glob.test(name));
}
