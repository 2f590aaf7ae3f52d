import { PINNING_HINT, unpinnedReason } from "../pinned-image";
import { isRecord, shown, text, type ImportContext, type Raw } from "./context";

/** The image, or for a build-only service the one Compose would build: `<project>-<service>`. */
export function image(
  original: string,
  raw: Raw,
  project: string,
  at: string,
  ctx: ImportContext,
): string {
  const build =
    raw.build === undefined
      ? undefined
      : isRecord(raw.build)
        ? text(raw.build.context ?? ".")
        : text(raw.build);
  if (raw.image === undefined || raw.image === null) {
    if (build === undefined) {
      ctx.fail(`${at}.image`, "missing; give image, or build to have one named after the service");
      return "";
    }
    const built = `${project}-${original}`.toLowerCase();
    ctx.warn(
      `${at}.build`,
      `no image given; named it "${built}" after project and service, as Compose does`,
    );
    ctx.todo(
      `${at}.build`,
      `build ${build} and push it to a registry both platforms pull from, then set image to its pinned tag (e.g. "registry.example/${built}:1.0.0")`,
    );
    return built;
  }
  const value = text(raw.image);
  if (build !== undefined) {
    ctx.todo(
      `${at}.build`,
      `build ${build} as ${value} and push it; the platforms pull images, they do not build them`,
    );
  }
  const reason = unpinnedReason(value);
  if (reason !== undefined && build === undefined) {
    ctx.warn(`${at}.image`, `${shown(value)} is not pinned: ${reason}`);
    ctx.todo(
      `${at}.image`,
      `${shown(value)}: ${PINNING_HINT} before deploying; platform compose-file and the platforms refuse it until then`,
    );
  } else if (reason !== undefined) {
    ctx.todo(`${at}.image`, `${shown(value)}: after pushing, ${PINNING_HINT}`);
  }
  return value;
}
