/**
 * The commands that feed a dashboard just created from the landing page, with its real id
 * and ingest token, so they can be pasted as they are: curl with JSON, curl with InfluxDB
 * line protocol, and a Telegraf output (README, "Telegraf and InfluxDB clients").
 */

/** Quotes for a POSIX shell (`sh -c`, not only bash), so tokens and ids pass unchanged. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** TOML basic string: ids and tokens are plain ASCII, but escape what TOML requires. */
function tomlString(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function metricsUrl(origin: string, id: string): string {
  return `${origin}/api/dashboards/${encodeURIComponent(id)}/metrics`;
}

/** `curl` sending one JSON point, `cpu.load{host=a}` = 0.42. */
export function curlJsonCommand(origin: string, id: string, token: string): string {
  const point = { name: "cpu.load", value: 0.42, tags: { host: "a" } };
  return [
    `curl -X POST ${shellQuote(metricsUrl(origin, id))}`,
    `  -H ${shellQuote(`Authorization: Bearer ${token}`)}`,
    `  -H 'Content-Type: application/json'`,
    `  -d ${shellQuote(JSON.stringify(point))}`,
  ].join(" \\\n");
}

/**
 * `curl` sending one line of line protocol, which becomes series `cpu.load{host=b}` = 0.58
 * (series are `measurement.field`). `--data-binary` keeps the body byte for byte.
 */
export function curlLineProtocolCommand(origin: string, id: string, token: string): string {
  return [
    `curl -X POST ${shellQuote(metricsUrl(origin, id))}`,
    `  -H ${shellQuote(`Authorization: Bearer ${token}`)}`,
    `  -H 'Content-Type: text/plain'`,
    `  --data-binary 'cpu,host=b load=0.58'`,
  ].join(" \\\n");
}

/** Telegraf's InfluxDB v2 output: the dashboard id is the bucket, the organization is ignored. */
export function telegrafOutput(origin: string, id: string, token: string): string {
  return [
    "[[outputs.influxdb_v2]]",
    `  urls = [${tomlString(origin)}]`,
    `  token = ${tomlString(token)}`,
    `  organization = "any"  # ignored by Pulseboard`,
    `  bucket = ${tomlString(id)}`,
  ].join("\n");
}
