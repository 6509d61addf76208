// A module of its own, importing nothing, so the system tests can compare it with the file.

/**
 * The JWT secret .dev.vars.example gives every clone. It is public, so anyone could sign tokens
 * with it: only a local run may use it (tests/system/config.test.ts holds the two equal).
 */
export const EXAMPLE_JWT_SECRET = "local-development-secret-change-me-0123456789";
