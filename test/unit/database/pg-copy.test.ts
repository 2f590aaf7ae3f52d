import { describe, expect, it } from "vitest";
import { lastLineFields, unescapeCopyField } from "../../../tools/database/pg-copy";

// COPY's text format, as PostgreSQL writes it: tab between fields, one row per line, and
// backslash escapes for backslash, tab, newline and carriage return inside a value.
describe("COPY text format", () => {
  it("reads escaped values back to their text", () => {
    const field = (text: string) => unescapeCopyField(Buffer.from(text, "utf8"));
    expect(field("plain")).toBe("plain");
    expect(field("a\\tb\\nc\\rd\\\\e")).toBe("a\tb\nc\rd\\e");
    expect(field("caf\\303\\251")).toBe("café"); // octal bytes of UTF-8
    expect(field("\\x41\\x4a")).toBe("AJ");
    expect(field("naïve ✓")).toBe("naïve ✓");
    expect(field("\\N")).toBeNull();
    expect(field("\\\\N")).toBe("\\N");
  });

  it("takes the key fields of the last row only", () => {
    const data = Buffer.from("1\tfirst\tx\n2\ta\\tb\ty\n3\tlast\\\\one\tz\n", "utf8");
    expect(lastLineFields(data, [0, 1])).toEqual(["3", "last\\one"]);
    expect(lastLineFields(data, [2])).toEqual(["z"]);
    expect(lastLineFields(Buffer.from("7\tno newline"), [1, 0])).toEqual(["no newline", "7"]);
    expect(lastLineFields(Buffer.alloc(0), [0])).toBeUndefined();
  });
});
