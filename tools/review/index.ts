export * from "./review-model";
export * from "./check-plan";
export * from "./review-document";
export * from "./render-markdown";
export * from "./render-text";
export { code, gfm, joinMarkdown, tableRow, terminalLine, type Markdown } from "./escape";
