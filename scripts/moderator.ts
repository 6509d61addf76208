// `npm run moderator`: make an account a moderator, or a member again. Roles are granted only here,
// by whoever runs flock, never through the API; each change goes in the users service's audit log.
//
//   npm run moderator -- grant <handle>     on the local state that `npm start` uses
//   npm run moderator -- revoke <handle>
//   add --reason "..." to record why, --persist-to <dir> for another local state folder (the browser
//   tests' world), and --remote to act on the deployed users-db instead
//   (wrangler d1 execute --remote, with the account `wrangler login` or CLOUDFLARE_API_TOKEN gives)
//
// The gateway learns the new role at the account's next sign-in, or within a minute (its session
// check), and the users service at once.
import { parseArgs } from "node:util";
import { ulid } from "ulidx";
import { d1Execute, quote } from "./d1.ts";
import { workers } from "./workers.ts";

/**
 * The statements that give the account with `handle` a role and record it in the audit log (by no
 * moderator: an operator), only when the role changes.
 */
export function roleChange(
  handle: string,
  role: "moderator" | "member",
  reason: string | null,
  id = ulid(),
): string[] {
  const action = role === "moderator" ? "grant_moderator" : "revoke_moderator";
  const account = `handle = ${quote(handle.toLowerCase())}`;
  return [
    `UPDATE users SET role = ${quote(role)} WHERE ${account} AND role <> ${quote(role)}`,
    `INSERT INTO moderation_audit (id, moderator_id, action, target_kind, target_id, reason, created_at) SELECT ${quote(id)}, NULL, ${quote(action)}, 'account', id, ${reason === null ? "NULL" : quote(reason)}, ${quote(new Date().toISOString())} FROM users WHERE ${account} AND changes() > 0`,
  ];
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      remote: { type: "boolean" },
      reason: { type: "string" },
      "persist-to": { type: "string" },
    },
  });
  const [command, handle] = positionals;
  if ((command !== "grant" && command !== "revoke") || !handle)
    throw new Error("usage: npm run moderator -- grant|revoke <handle> [--reason ...] [--remote]");
  const users = workers.find((worker) => worker.database === "users-db");
  if (!users?.database) throw new Error("no users-db in scripts/workers.ts");
  const target = {
    database: users.database,
    config: users.config,
    remote: values.remote ?? false,
    persistTo: values["persist-to"],
  };
  const role = command === "grant" ? "moderator" : "member";
  d1Execute(target, roleChange(handle, role, values.reason ?? null).join(";\n"));
  const [row] = d1Execute(
    target,
    `SELECT handle, role FROM users WHERE handle = ${quote(handle.toLowerCase())}`,
  );
  if (!row) throw new Error(`no account @${handle}`);
  console.log(`@${String(row.handle)} is now a ${String(row.role)}`);
}

if (import.meta.main) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
