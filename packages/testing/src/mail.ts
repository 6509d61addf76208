// Mail as tests read it: a test entry's env (see ./hooks.ts) sends each mail through the real
// send_email binding (which wrangler simulates locally) and also notes what it sent, so a test can
// open the link a user would have been mailed. Only test entries use it: no deployed bundle does.
import type { BindingKinds } from "./faults";
import { SENT_MAIL, type SentMail } from "./sent-mail";

export type { SentMail };

/** Every mail this isolate sent through a recorded binding, oldest first. */
export const sentMail: SentMail[] = [];

function recipients(to: EmailMessageBuilder["to"]): string {
  const list = Array.isArray(to) ? to : to === undefined ? [] : [to];
  return list.map((address) => (typeof address === "string" ? address : address.email)).join(", ");
}

/**
 * A send_email binding that notes each composed mail (in sentMail and, unless `log` is false, as a
 * `sent_mail` log line) once the real binding has taken it. A raw MIME message is sent but not
 * noted: flock sends none.
 */
export function recordedMail(binding: SendEmail, { log = true } = {}): SendEmail {
  async function send(message: EmailMessage | EmailMessageBuilder): Promise<EmailSendResult> {
    if (!("subject" in message)) return binding.send(message);
    const result = await binding.send(message);
    const mail = { to: recipients(message.to), subject: message.subject, text: message.text ?? "" };
    sentMail.push(mail);
    if (log) console.log(JSON.stringify({ [SENT_MAIL]: mail }));
    return result;
  }
  return { send };
}

/** An env whose send_email bindings note what they send; the env itself when it has none. */
export function withRecordedMail<E extends object>(env: E, kinds: BindingKinds): E {
  const mailers = Object.entries(kinds).filter(([, kind]) => kind === "send_email");
  if (mailers.length === 0) return env;
  const recorded: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name] of mailers) recorded[name] = recordedMail(recorded[name] as SendEmail);
  return recorded as E;
}
