/**
 * The one definition of a pinned image, used by service specs, broker versions, sidecar images
 * and stack config. Pure (no Pulumi), so every layer can import it.
 *
 * An image is pinned when it names a digest (`@sha256:<64 hex>`, with or without a tag) or a tag
 * that names a version: a valid tag containing a digit that is not a moving name. `latest`,
 * `edge`, `stable`, `nightly`, `main`, `master`, `dev` and other words without a digit (`alpine`,
 * `bookworm`) move to new builds under a running stack, so they never pin. A version tag may still
 * be re-pushed by its publisher (`16-alpine`); only a digest is exact.
 */

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Tags that publishers move on purpose; named in messages. None of them holds a digit. */
export const FLOATING_TAGS: readonly string[] = [
  "latest",
  "edge",
  "stable",
  "nightly",
  "main",
  "master",
  "dev",
];

/** How to pin, for messages. */
export const PINNING_HINT =
  'pin a version tag (e.g. "repo/app:1.4.2") or a digest ("repo/app@sha256:…")';

/** True when `tag` (the part after ':') names a version. */
export function isPinnedTag(tag: unknown): tag is string {
  return (
    typeof tag === "string" &&
    TAG.test(tag) &&
    /\d/.test(tag) &&
    !FLOATING_TAGS.includes(tag.toLowerCase())
  );
}

/** The tag of an image reference (`registry:5000/a/b:1.2` → `1.2`), if it has one. */
export function imageTag(image: string): string | undefined {
  const name = image.split("@")[0] ?? "";
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

/** Why an image is not pinned, in a few words; undefined when it is pinned. */
export function unpinnedReason(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  if (image.includes("@")) return "its digest is not sha256:<64 hex digits>";
  const tag = imageTag(image);
  if (tag === undefined) return "it has no tag, which means :latest";
  if (tag === "" || !TAG.test(tag)) return `${JSON.stringify(tag)} is not a valid tag`;
  if (!isPinnedTag(tag)) return `tag ${JSON.stringify(tag)} moves to new builds`;
  return undefined;
}

/** True when an image reference pins a version tag or a digest (see the module comment). */
export function isPinnedImage(image: unknown): image is string {
  return typeof image === "string" && image !== "" && unpinnedReason(image) === undefined;
}
