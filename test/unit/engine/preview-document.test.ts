import { describe, expect, it } from "vitest";
import { parsePreviewDocument, PreviewDocumentError } from "../../../tools/engine/preview-document";

const urn = "urn:pulumi:dev::p::fixture:index:Record::a";

describe("parsePreviewDocument", () => {
  it("keeps the engine's document as it came, filling absent steps and summary", () => {
    const document = {
      config: { "p:k": "v" },
      steps: [{ op: "create", urn, newState: { type: "t", urn, inputs: { x: 1 } } }],
      changeSummary: { create: 1 },
      duration: 12,
    };
    expect(parsePreviewDocument(JSON.stringify(document), "doc")).toEqual(document);
    expect(parsePreviewDocument("{}", "doc")).toEqual({ steps: [], changeSummary: {} });
  });

  it.each([
    { text: "pulumi: error", message: /^doc: not JSON .*got "pulumi: error"/ },
    { text: "[]", message: /^doc: expected a JSON object, got \[\]/ },
    { text: '{"steps":{}}', message: /^doc: "steps" must be an array, got \{\}/ },
    { text: '{"steps":[1]}', message: /^doc: steps\[0\] is not an object: 1/ },
    {
      text: `{"steps":[{"op":"explode","urn":"${urn}"}]}`,
      message: /^doc: steps\[0\]\.op is "explode", not one of the engine's step ops \(same, create/,
    },
    {
      text: '{"steps":[{"op":"same","urn":"a"}]}',
      message: /^doc: steps\[0\]\.urn is "a", expected a "urn:pulumi:\.\.\." string/,
    },
    {
      text: '{"changeSummary":[1]}',
      message: /^doc: "changeSummary" must be an object of op -> count, got \[1\]/,
    },
  ])("refuses $text naming the field and value", ({ text, message }) => {
    const attempt = () => parsePreviewDocument(text, "doc");
    expect(attempt).toThrow(PreviewDocumentError);
    expect(attempt).toThrow(message);
  });
});
