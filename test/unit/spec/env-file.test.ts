import { describe, expect, it } from "vitest";
import { EnvFileError, parseEnvFile } from "../../../components/spec/env-file";

describe("parseEnvFile", () => {
  it.each([
    ["plain pairs", "A=1\nB=two", { A: "1", B: "two" }],
    ["blank lines and comments", "\n# comment\n  \nA=1\n", { A: "1" }],
    ["export prefix", "export A=1", { A: "1" }],
    ["spaces around key and value", "  A =  spaced  ", { A: "spaced" }],
    ["empty value", "A=", { A: "" }],
    [
      "'=' inside the value",
      "URL=postgresql://u@h/db?sslmode=require",
      { URL: "postgresql://u@h/db?sslmode=require" },
    ],
    ["inline comment on unquoted value", "A=1 # note", { A: "1" }],
    ["'#' without a space is part of the value", "COLOR=#fff", { COLOR: "#fff" }],
    ["single quotes are literal", "A='x\\ny # not a comment'", { A: "x\\ny # not a comment" }],
    ["double quotes unescape", 'A="line1\\nline2 \\"q\\""', { A: 'line1\nline2 "q"' }],
    ["comment after closing quote", 'A="v" # note', { A: "v" }],
    ["CRLF line endings", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
  ])("%s", (_case, text, expected) => {
    expect(parseEnvFile(text)).toEqual(expected);
  });

  it.each([
    ["NO_EQUALS", ".env line 1: expected KEY=value (no '=' found)"],
    [
      "A=1\n1A=2",
      `.env line 2: key "1A" is not a valid variable name; use letters, digits and '_', not starting with a digit`,
    ],
    ["A=1\nA=2", '.env line 2: key "A" is set twice; keep one'],
    ['A="open', '.env line 1: value of "A" opens a " quote but never closes it'],
    ["A='x' y", '.env line 1: value of "A" has text after its closing quote'],
  ])("rejects %j", (text, message) => {
    expect(() => parseEnvFile(text)).toThrow(EnvFileError);
    expect(() => parseEnvFile(text)).toThrow(message);
  });

  it("names the source and never echoes the value", () => {
    expect(() => parseEnvFile('TOKEN="s3cr3t', ".env.secret")).toThrow(
      '.env.secret line 1: value of "TOKEN" opens a " quote but never closes it',
    );
    try {
      parseEnvFile('TOKEN="s3cr3t', ".env.secret");
    } catch (error) {
      expect((error as Error).message).not.toContain("s3cr3t");
    }
  });
});
