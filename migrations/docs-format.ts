import { format } from "prettier";
import { withGeneratedPaths } from "./paths-doc";

/** The document with its generated section refreshed, formatted as `prettier --check` expects. */
export async function formattedDoc(document: string): Promise<string> {
  return format(withGeneratedPaths(document), { parser: "markdown", printWidth: 100 });
}
