import { describe, expect, it } from "vitest";
import {
  validatePinnedImage,
  validateVersion,
} from "../../../components/events/broker-cluster-args";
import { isPinnedImage } from "../../../components/spec";
import { isPinnedTag, unpinnedReason } from "../../../components/spec/pinned-image";
import { configWith } from "../program/support";

// One rule for service specs, broker versions, sidecar images and stack config images.
const CASES: [string, boolean][] = [
  ["firstviscount/product-catalog:1.4.2", true],
  ["registry.local:5000/team/app:2024.11.1", true],
  ["redpandadata/redpanda:v24.2.7", true],
  ["postgres:16-alpine", true],
  [`app@sha256:${"a".repeat(64)}`, true],
  [`app:1.0@sha256:${"b".repeat(64)}`, true],
  ["app", false],
  ["app:latest", false],
  ["app:LATEST", false],
  ["app:edge", false],
  ["app:stable", false],
  ["app:nightly", false],
  ["app:main", false],
  ["app:master", false],
  ["app:dev", false],
  ["nginx:alpine", false],
  ["nginx:stable-alpine", false],
  ["registry.local:5000/team/app", false],
  ["app:", false],
  ["app@sha256:short", false],
];

describe("the pinned-image rule", () => {
  it.each(CASES)("%s -> %s", (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
    const tag = image.includes("@") ? undefined : image.split("/").pop()?.split(":")[1];
    if (tag !== undefined && tag !== "") expect(isPinnedTag(tag)).toBe(pinned);
  });

  it("says why an image is not pinned", () => {
    expect(unpinnedReason("nginx")).toBe("it has no tag, which means :latest");
    expect(unpinnedReason("nginx:edge")).toBe('tag "edge" moves to new builds');
    expect(unpinnedReason("app@sha256:short")).toBe("its digest is not sha256:<64 hex digits>");
    expect(unpinnedReason("nginx:1.27.3")).toBeUndefined();
  });

  it("broker versions and sidecar images follow it", () => {
    expect(validateVersion("v24.2.7", "redpanda")).toBe("v24.2.7");
    for (const floating of ["edge", "stable", "nightly", "main", "latest"]) {
      expect(() => validateVersion(floating, "redpanda")).toThrow('redpanda.version = "');
      expect(() => validatePinnedImage(`a/b:${floating}`, "image", "kafka")).toThrow(
        `kafka.image = "a/b:${floating}"`,
      );
    }
    expect(validatePinnedImage(`a/b@sha256:${"c".repeat(64)}`, "image", "kafka")).toContain(
      "@sha256:",
    );
  });

  const parse = (monolithImage: string) => configWith({ monolithImage });

  it.each(["repo/app:edge", "repo/app:stable", "repo/app:main", "repo/app:latest", "repo/app"])(
    "stack config refuses monolithImage %s",
    (image) => {
      expect(() => parse(image)).toThrow(`stepwise:monolithImage = "${image}": must be pinned`);
    },
  );

  it("stack config keeps accepting version tags and digests", () => {
    expect(parse("repo/app:1.0.0").monolithImage).toBe("repo/app:1.0.0");
    expect(parse(`repo/app@sha256:${"d".repeat(64)}`).monolithImage).toContain("@sha256:");
  });
});
