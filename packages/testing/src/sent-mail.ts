// What a test entry notes of each mail it sends (see ./mail.ts), in a module without Workers types,
// so the Node-side tests that read the notes can import it too.

/** A mail as it was handed to a send_email binding. */
export type SentMail = { to: string; subject: string; text: string };

/** The key of the log line that notes each mail sent, for tests that read the runtime's logs. */
export const SENT_MAIL = "sent_mail";
