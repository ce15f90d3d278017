/**
 * Builds the browser bundle into public/build/: the two page entries (with partysocket and
 * uPlot bundled in), uPlot's stylesheet and gridstack's (for arranging panels). Wrangler runs this before `dev` and `deploy`
 * (`[build]` in wrangler.toml), so it must stay fast and fail loudly.
 *
 * Usage: node scripts/build-client.ts
 */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}public/build`;

try {
  const started = performance.now();
  // Start empty so renamed entries or chunks never linger as stale assets.
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    // The entries stay at the top of src/client: esbuild names each bundle after its entry's
    // path below the entries' common folder, and the HTML loads /build/<page>.js by that name.
    entryPoints: ["src/client/dashboard-page.ts", "src/client/landing-page.ts"],
    outdir,
    bundle: true,
    format: "esm",
    // Both pages share code (commands, copy buttons); splitting keeps it in one cached chunk.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    minify: true,
    sourcemap: true,
    target: "es2022",
    platform: "browser",
    tsconfig: "src/client/tsconfig.json",
    metafile: true,
    logLevel: "warning",
  });
  await copyFile(`${root}node_modules/uplot/dist/uPlot.min.css`, `${outdir}/uPlot.min.css`);
  // Linked by the page only when arranging starts (src/client/arrange/panel-arranger.ts).
  await copyFile(`${root}node_modules/gridstack/dist/gridstack.min.css`, `${outdir}/gridstack.min.css`);
  const scripts = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".js"));
  const bytes = scripts.reduce((sum, [, output]) => sum + output.bytes, 0);
  const ms = Math.round(performance.now() - started);
  console.log(`build-client: ${scripts.length} scripts (${(bytes / 1024).toFixed(1)} KiB) uPlot.min.css, gridstack.min.css in public/build, ${ms} ms`);
} catch (error) {
  // esbuild has already printed its diagnostics; anything else is printed here.
  if (!(error instanceof Error && "errors" in error)) console.error(error);
  console.error("build-client: failed");
  process.exit(1);
}
