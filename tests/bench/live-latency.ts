// `npm run bench:live`: how long a notification and a post take to reach a connected reader's
// socket, with every worker running under wrangler's test harness on this machine (median of 20 of
// each), timed from the start of the write that causes it to the message's arrival: what the reader
// waits. (Not from the write's answer: the harness's fetch resolves only once the write's waitUntil
// work, the outbox relay, is done, so a push can arrive before it.)
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
  // Every message with when it arrived: a push may land before its write's answer does.
  const heard: Array<{ at: number; message: Message }> = [];
  socket.addEventListener("message", (event) => {
    heard.push({ at: performance.now(), message: JSON.parse(String(event.data)) as Message });
  });

  async function timed(
    write: () => Promise<string>,
    match: (m: Message, id: string) => boolean,
  ): Promise<number> {
    const started = performance.now();
    const id = await write();
    for (const deadline = performance.now() + 10_000; performance.now() < deadline; ) {
      const found = heard.find((entry) => entry.at >= started && match(entry.message, id));
      if (found) return found.at - started;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error("no push within 10 s");
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
  const report = (name: string, runs: number[]) =>
    console.log(
      `${name}: median ${median(runs).toFixed(1)} ms from the write's start to the socket ` +
        `(n=${runs.length}, min ${Math.min(...runs).toFixed(1)}, max ${Math.max(...runs).toFixed(1)} ms)`,
    );
  report("notification (a like)", notifications);
  report("post (fanned out)", posts);
} finally {
  await server.close();
}
