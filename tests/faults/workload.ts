// A seeded mixed workload through the public gateway: people sign up, follow and unfollow, post,
// share, like and unlike, comment, report, delete posts and delete their accounts. Each step picks
// from what exists; what a step is refused (a 4xx) is fine, a 5xx is counted.
export type Http = (
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: unknown }>;

/** The public gateway at `base` as the workload calls it: JSON in, parsed JSON (or text) out. */
export function gatewayHttp(base: string): Http {
  return async (method, path, token, body, headers) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
    } catch {
      return { status: response.status, body: text };
    }
  };
}

export function rng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)],
  };
}

type Person = { handle: string; token: string };

export type WorkloadResult = {
  requests: number;
  serverErrors: number;
  byStatus: Record<string, number>;
};

export async function runWorkload(
  http: Http,
  options: { seed: number; steps: number; people: number; tag: string },
): Promise<WorkloadResult> {
  const random = rng(options.seed);
  const people: Person[] = [];
  const posts: string[] = [];
  const comments: string[] = [];
  const result: WorkloadResult = { requests: 0, serverErrors: 0, byStatus: {} };
  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const reply = await http(method, path, token, body, headers);
    result.requests += 1;
    result.byStatus[reply.status] = (result.byStatus[reply.status] ?? 0) + 1;
    if (reply.status >= 500) result.serverErrors += 1;
    return reply;
  };

  for (let i = 0; i < options.people; i++) {
    const handle = `f${options.tag}_${i}`;
    const reply = await call("POST", "/v1/auth/register", undefined, {
      handle,
      email: `${handle}@example.com`,
      password: "fault-tolerant",
    });
    if (reply.status === 201)
      people.push({ handle, token: (reply.body as { token: string }).token });
  }

  const steps: Array<[weight: number, step: () => Promise<unknown>]> = [
    [
      14,
      async () => {
        const [a, b] = [random.pick(people), random.pick(people)];
        if (a && b && a !== b) await call("PUT", `/v1/users/${b.handle}/follow`, a.token);
      },
    ],
    [
      4,
      async () => {
        const [a, b] = [random.pick(people), random.pick(people)];
        if (a && b && a !== b) await call("DELETE", `/v1/users/${b.handle}/follow`, a.token);
      },
    ],
    [
      16,
      async () => {
        const author = random.pick(people);
        const mention = random.pick(people);
        if (!author) return;
        const key: Record<string, string> =
          random.next() < 0.3 ? { "idempotency-key": `k${Math.floor(random.next() * 20)}` } : {};
        const reply = await call(
          "POST",
          "/v1/posts",
          author.token,
          { body: `post ${result.requests} @${mention?.handle ?? "nobody"}` },
          key,
        );
        if (reply.status === 201) posts.push((reply.body as { id: string }).id);
      },
    ],
    [
      6,
      async () => {
        const [sharer, post] = [random.pick(people), random.pick(posts)];
        if (sharer && post) {
          const reply = await call("POST", `/v1/posts/${post}/shares`, sharer.token, {});
          if (reply.status === 201) posts.push((reply.body as { id: string }).id);
        }
      },
    ],
    [
      16,
      async () => {
        const [liker, post] = [random.pick(people), random.pick(posts)];
        if (liker && post) await call("PUT", `/v1/posts/${post}/like`, liker.token);
      },
    ],
    [
      5,
      async () => {
        const [liker, post] = [random.pick(people), random.pick(posts)];
        if (liker && post) await call("DELETE", `/v1/posts/${post}/like`, liker.token);
      },
    ],
    [
      14,
      async () => {
        const [writer, post] = [random.pick(people), random.pick(posts)];
        if (!writer || !post) return;
        const parentId = random.next() < 0.3 ? random.pick(comments) : undefined;
        const reply = await call("POST", `/v1/posts/${post}/comments`, writer.token, {
          body: `comment ${result.requests}`,
          ...(parentId ? { parentId } : {}),
        });
        if (reply.status === 201) comments.push((reply.body as { id: string }).id);
      },
    ],
    [
      4,
      async () => {
        const [reporter, comment] = [random.pick(people), random.pick(comments)];
        if (reporter && comment)
          await call("POST", `/v1/comments/${comment}/report`, reporter.token, {
            reason: "fault test",
          });
      },
    ],
    [
      3,
      async () => {
        const [someone, comment] = [random.pick(people), random.pick(comments)];
        if (someone && comment) await call("DELETE", `/v1/comments/${comment}`, someone.token);
      },
    ],
    [
      3,
      async () => {
        const [someone, post] = [random.pick(people), random.pick(posts)];
        if (someone && post) await call("DELETE", `/v1/posts/${post}`, someone.token);
      },
    ],
    [
      1,
      async () => {
        const leaving = random.pick(people);
        if (leaving && people.length > 3) {
          await call("DELETE", "/v1/me", leaving.token);
          people.splice(people.indexOf(leaving), 1);
        }
      },
    ],
    [
      6,
      async () => {
        const reader = random.pick(people);
        if (reader) await call("GET", "/v1/feed?limit=20", reader.token);
      },
    ],
  ];
  const total = steps.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < options.steps; i++) {
    let roll = random.next() * total;
    for (const [weight, step] of steps) {
      roll -= weight;
      if (roll < 0) {
        await step();
        break;
      }
    }
  }
  return result;
}
