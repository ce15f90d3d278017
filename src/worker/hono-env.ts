import type { Context } from "hono";

/** The Worker's Hono environment: its bindings (`Env`, from `wrangler types`). */
export type AppEnv = { Bindings: Env };

/** A request's context in any of the Worker's routes. */
export type AppContext = Context<AppEnv>;
