export * from "./spec";
export * from "./platform";
export * from "./monitoring";
export * from "./events";
export * from "./database";
export * from "./routing";
