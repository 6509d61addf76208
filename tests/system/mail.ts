// The mails a test flock sent: its users worker runs its test entry, whose send_email binding logs
// each mail it sends (packages/testing/src/mail.ts). Tests read them to follow the links a user
// would be mailed.
import { SENT_MAIL, type SentMail } from "../../packages/testing/src/sent-mail.ts";
import { eventually } from "./client";
import type { Flock } from "./harness";

/** Every mail sent to `to` so far, oldest first. */
export function mailsTo(server: Flock, to: string): SentMail[] {
  return server.getLogs().flatMap((log) => {
    try {
      const mail = (JSON.parse(log.message) as Record<string, SentMail | undefined>)[SENT_MAIL];
      return mail && mail.to === to ? [mail] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The token of the newest link to `page` mailed to `to`, waiting for it (mail goes out after the
 * answer). `after` skips the mails there were before: the link must be a new one.
 */
export function mailedToken(
  server: Flock,
  to: string,
  page: "reset-password" | "verify-email",
  after = 0,
): Promise<string> {
  return eventually(async () => {
    const links = mailsTo(server, to)
      .slice(after)
      .flatMap((mail) => [...mail.text.matchAll(new RegExp(`/${page}#token=([0-9a-f]+)`, "g"))]);
    const token = links.at(-1)?.[1];
    if (!token) throw new Error(`no ${page} link mailed to ${to}`);
    return token;
  });
}
