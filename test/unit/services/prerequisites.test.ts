import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MissingPrerequisite, postgresBinDir, requireJava } from "../../services/prerequisites";

const savedPath = process.env.PATH;
const savedPgBin = process.env.STEPWISE_PG_BIN;
afterEach(() => {
  process.env.PATH = savedPath;
  if (savedPgBin === undefined) delete process.env.STEPWISE_PG_BIN;
  else process.env.STEPWISE_PG_BIN = savedPgBin;
});

describe("test service prerequisites", () => {
  it("names Java and the packages to install when java is not on PATH", () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), "empty-path-"));
    expect(() => requireJava()).toThrow(MissingPrerequisite);
    expect(() => requireJava()).toThrow(
      /'java' is not on PATH.*apt-get install -y openjdk-17-jre-headless maven postgresql/,
    );
  });

  it("names the folders searched and how to point at the server binaries when none are found", () => {
    const empty = mkdtempSync(join(tmpdir(), "no-postgres-"));
    process.env.STEPWISE_PG_BIN = join(empty, "bin");
    process.env.PATH = empty; // no pg_config either
    expect(() => postgresBinDir(empty)).toThrow(
      new RegExp(`not found in ${join(empty, "bin")}.*set STEPWISE_PG_BIN`),
    );
  });

  it("finds Debian's server binaries on this machine", () => {
    delete process.env.STEPWISE_PG_BIN;
    expect(postgresBinDir()).toMatch(/bin$/);
  });
});
