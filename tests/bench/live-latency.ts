// `npm run bench:live`: how long a notification and a post take to reach a connected reader's
// socket, with every worker running under wrangler's test harness on this machine (median of 20 of
// each). Timed from the start of the write that causes it, and from that write's answer: what the
// reader waits, and what the push adds after the writer has heard back.
import { startTestFlock } from "../../scripts/test-flock.ts";

const RUNS = 20;
const server = await startTestFlock({
  "flock-gateway": { JWT_SECRET: "live-latency-secret-0123456789abcdef" },
});
const origin = (await server.listen()).url;

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await server.fetch(`http://localhost${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function person(name: string): Promise<{ token: string; id: string; handle: string }> {
  const handle = `${name}_${Date.now() % 1e7}`;
  const reply = await call("POST", "/v1/auth/register", undefined, {
    handle,
    email: `${handle}@example.com`,
    password: "correct horse battery",
  });
  return { token: reply.token, id: reply.user.id, handle };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(middle)] ?? 0) + (sorted[Math.ceil(middle)] ?? 0)) / 2;
}

/** A socket message, as far as these checks read it. */
type Message = { type: string; notification?: { postId: string | null }; post?: { id: string } };

try {
  const [reader, writer] = [await person("reader"), await person("writer")];
  await call("PUT", `/v1/users/${writer.handle}/follow`, reader.token);
  // Wait until the follow has reached the posts service (the writer's post shows in the feed).
  const marker = await call("POST", "/v1/posts", writer.token, { body: "marker" });
  for (;;) {
    const feed = await call("GET", "/v1/feed", reader.token);
    if (feed.items.some((item: { id: string }) => item.id === marker.id)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const targets = [];
  for (let i = 0; i < RUNS; i++)
    targets.push((await call("POST", "/v1/posts", reader.token, { body: `liked ${i}` })).id);
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const { ticket } = await call("POST", "/v1/live/ticket", reader.token);
  const address = new URL(`/v1/live?ticket=${encodeURIComponent(ticket)}`, origin);
  address.protocol = "ws:";
  const socket = new WebSocket(address);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  let waiting: { match: (m: Message) => boolean; done: () => void } | null = null;
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as Message;
    if (waiting?.match(message)) waiting.done();
  });

  async function timed(write: () => Promise<string>, match: (m: Message, id: string) => boolean) {
    const started = performance.now();
    let id = "";
    let answered = 0;
    const arrived = new Promise<number>((resolve) => {
      waiting = { match: (m) => id !== "" && match(m, id), done: () => resolve(performance.now()) };
    });
    id = await write();
    answered = performance.now();
    const at = await Promise.race([
      arrived,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("no push in 10 s")), 10_000),
      ),
    ]);
    return { fromWrite: at - started, fromAnswer: at - answered };
  }

  const notifications = [];
  for (const postId of targets)
    notifications.push(
      await timed(
        async () => {
          await call("PUT", `/v1/posts/${postId}/like`, writer.token);
          return postId;
        },
        (m, id) => m.type === "notification" && m.notification?.postId === id,
      ),
    );
  const posts = [];
  for (let i = 0; i < RUNS; i++)
    posts.push(
      await timed(
        async () => (await call("POST", "/v1/posts", writer.token, { body: `live ${i}` })).id,
        (m, id) => m.type === "post" && m.post?.id === id,
      ),
    );
  socket.close();
  const report = (name: string, runs: Array<{ fromWrite: number; fromAnswer: number }>) =>
    console.log(
      `${name}: median ${median(runs.map((r) => r.fromWrite)).toFixed(1)} ms from the write's start, ` +
        `${median(runs.map((r) => r.fromAnswer)).toFixed(1)} ms after its answer (n=${runs.length}, ` +
        `max ${Math.max(...runs.map((r) => r.fromWrite)).toFixed(1)} ms)`,
    );
  report("notification (a like)", notifications);
  report("post (fanned out)", posts);
} finally {
  await server.close();
}
