export * from "./review-model";
export * from "./render-markdown";
export * from "./render-text";
