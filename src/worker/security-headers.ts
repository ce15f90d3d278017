import type { MiddlewareHandler } from "hono";

/**
 * The headers every page, asset and API answer carries. The dashboard page keeps edit tokens
 * in sessionStorage, so no other site may frame it (clickjacking) or run script in it (XSS).
 * Static assets get the same from `public/_headers`, which Workers Static Assets applies to
 * what it serves, including through `env.ASSETS.fetch`; a test compares the two.
 *
 * The policy holds because the pages load only their own files: module scripts from /build,
 * stylesheets from / and /build, no inline script or `style=` attribute (uPlot and the page
 * set `element.style` from script, which a CSP never blocks). `connect-src 'self'` covers the
 * dashboard's WebSocket in CSP Level 3 browsers; the Worker also names ws:/wss: of its own host
 * for older ones, which `_headers` cannot (it has no host).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** The other headers a security scanner expects, with the same value everywhere. */
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  // Dashboard ids in paths stay on this site; the view key rides in a fragment, never sent.
  "Referrer-Policy": "no-referrer",
  // For browsers without `frame-ancestors`.
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** The policy for a response of the Worker at `url`, naming its own WebSocket origins. */
export function contentSecurityPolicy(url: URL): string {
  const sockets = `ws://${url.host} wss://${url.host}`;
  return CONTENT_SECURITY_POLICY.map((directive) => (directive === "connect-src 'self'" ? `${directive} ${sockets}` : directive)).join("; ");
}

/** Adds the security headers to every answer of the Worker; a WebSocket upgrade is left as it is. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // A 101 carries the socket itself; copying it into a new Response would lose it.
  if (c.res.status === 101) return;
  // Headers of a response from `fetch` (the assets binding) are immutable; copy it first.
  const response = new Response(c.res.body, c.res);
  response.headers.set("Content-Security-Policy", contentSecurityPolicy(new URL(c.req.url)));
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  // Hono's setter copies the old answer's headers over a new one's (which would put back the
  // assets' policy, without this host's sockets); clearing it first makes this one final.
  c.res = undefined;
  c.res = response;
};
