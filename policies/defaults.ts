/**
 * The defaults of `stepwise:policy`, for what a stack's config leaves out. Kept apart from the
 * schema (config.ts) so the rules' prose (rules/, which config.ts imports) can state them.
 */
import type { Environment } from "../migrations/config/keys";

/** Minimum time in each phase when the stack config says nothing. */
export const DEFAULT_MINIMUM_PHASE_TIME: Readonly<Record<Environment, string>> = {
  dev: "0",
  staging: "12h",
  prod: "24h",
};
export const DEFAULT_WEIGHT_STEP = 25;
export const DEFAULT_ROLLBACK_WINDOW_DAYS = 30;
export const DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS = 7;
