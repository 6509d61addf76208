export * from "./db";
export * from "./errors";
export * from "./ids";
export * from "./inbox";
export * from "./outbox";
export * from "./pagination";
export * from "./validation";
