export * from "./comments";
export * from "./common";
export * from "./errors";
export * from "./events";
export * from "./moderation";
export * from "./notifications";
export * from "./posts";
export * from "./users";
