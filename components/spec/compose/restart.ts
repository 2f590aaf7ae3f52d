import type { ServiceSpec } from "../service-spec";
import { runsToCompletion } from "../wait-for";
import { isRecord, shown, type ImportContext } from "./context";

/**
 * `restart:` against what the platforms do: they restart every container unless it is stopped,
 * except a service another one waits for with "completed", which runs once. So `always` and
 * `unless-stopped` are carried, and so is `"no"` on a run-once service; `"no"` elsewhere and
 * `on-failure[:N]` are warned (the container would be restarted after it exits), and anything
 * else is refused naming the value.
 */
export function checkRestart(
  specs: readonly ServiceSpec[],
  raws: readonly [string, unknown][],
  ctx: ImportContext,
): void {
  const once = runsToCompletion(specs);
  raws.forEach(([original, raw], i) => {
    const value = isRecord(raw) ? raw.restart : undefined;
    if (value === undefined || value === null) return;
    const at = `services.${original}.restart`;
    const runOnce = once.has(specs[i]?.name ?? "");
    if (value === "always" || value === "unless-stopped") {
      if (runOnce) {
        ctx.warn(
          at,
          `${shown(value)}: not carried over; others wait for it to complete, so it runs once`,
        );
      }
    } else if (value === "no" || value === false) {
      if (!runOnce) {
        ctx.warn(
          at,
          `${shown(value)}: not carried over; the platforms restart it when it exits (a one-shot job is run once when another service waits for it with service_completed_successfully)`,
        );
      }
    } else if (typeof value === "string" && /^on-failure(:\d+)?$/.test(value)) {
      ctx.warn(
        at,
        `${shown(value)}: not carried over; ${runOnce ? "it runs once, with no retry" : "the platforms restart it after any exit, not only a failure, and without a limit"}`,
      );
    } else {
      ctx.fail(at, `${shown(value)}: give "no", always, unless-stopped or on-failure[:N]`);
    }
  });
}
