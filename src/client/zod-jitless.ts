/**
 * Imported first by the editor (the only part of the pages that validates with Zod), before any
 * schema is built. The pages run under
 * `script-src 'self'` without 'unsafe-eval' (src/worker/security-headers.ts); Zod compiles
 * object parsers with `new Function` unless configured jitless, and its probe for whether it
 * may (`new Function("")` in a try) is itself reported as a policy violation.
 * https://zod.dev/packages/core#jitless
 */
import { config } from "zod";

config({ jitless: true });
