import { describeError } from "@flock/kit";
import type { Env } from "./env";

/** A plain-text mail to one address. */
export type Mail = { to: string; subject: string; text: string };

/** The web app's pages that a mailed link opens. */
export type MailedPage = "reset-password" | "verify-email";

/**
 * How the users service mails: `send` hands a mail to waitUntil, so it goes out once the write it
 * follows has committed and the answer is on its way. A mail that cannot be sent is logged, never
 * thrown: it must not fail or undo the request, nor show whether an address is known.
 */
export type Mailer = {
  /** A link to one of the web app's pages with a token in its fragment, which browsers never send. */
  link(page: MailedPage, token: string): string;
  send(mail: Mail): void;
};

// A failed send is tried again twice, after these pauses: long enough to outlast a blip, short
// enough for waitUntil. Beyond that the user asks again (see decision 0010).
const RETRY_DELAYS_MS = [200, 1000];

/** The mailer of one call: mails go through SEND_EMAIL from MAIL_FROM, with links to APP_URL. */
export function mailer(
  env: Pick<Env, "SEND_EMAIL" | "MAIL_FROM" | "APP_URL">,
  execution: Pick<ExecutionContext, "waitUntil">,
  requestId: string,
): Mailer {
  const origin = env.APP_URL.replace(/\/+$/, "");
  return {
    link: (page, token) => `${origin}/${page}#token=${token}`,
    send(mail) {
      execution.waitUntil(deliver(env, mail, requestId));
    },
  };
}

async function deliver(
  env: Pick<Env, "SEND_EMAIL" | "MAIL_FROM">,
  mail: Mail,
  requestId: string,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await env.SEND_EMAIL.send({ from: env.MAIL_FROM, ...mail });
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        // The subject says which mail; the address stays out of the log.
        console.error(
          JSON.stringify({
            level: "error",
            requestId,
            message: "mail not sent",
            subject: mail.subject,
            error: describeError(error),
          }),
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
