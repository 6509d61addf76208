import type { Flock } from "./harness";

// biome-ignore lint/suspicious/noExplicitAny: a response body is checked by the assertions that read it.
export type Reply = { status: number; headers: Headers; body: any };

/** The password of every account signUp makes. */
export const PASSWORD = "correct horse battery";

/** The session a token names (its `sid` claim), read without verifying it. */
export function sessionOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  return String(payload.sid);
}

/** A small HTTP client for the gateway: JSON in, parsed JSON (or problem) out. */
export function client(server: Flock) {
  async function request(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      raw?: string | Uint8Array;
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await server.fetch(`http://localhost${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
  let counter = 0;
  return {
    request,
    get: (path: string, token?: string) => request("GET", path, { token }),
    post: (path: string, body?: unknown, token?: string) => request("POST", path, { body, token }),
    put: (path: string, token?: string) => request("PUT", path, { token }),
    patch: (path: string, body: unknown, token?: string) => request("PATCH", path, { body, token }),
    del: (path: string, token?: string) => request("DELETE", path, { token }),
    /** Deletes the account a token is signed in to, confirming with signUp's password. */
    deleteAccount: (token: string, password = PASSWORD) =>
      request("DELETE", "/v1/me", { token, body: { password } }),
    /** Registers a fresh user and returns its handle, id and token. */
    async signUp(name = "user") {
      counter += 1;
      const handle = `${name}_${counter}_${Math.floor(Math.random() * 1e5)}`.slice(0, 30);
      const reply = await request("POST", "/v1/auth/register", {
        body: { handle, email: `${handle}@example.com`, password: PASSWORD },
      });
      if (reply.status !== 201)
        throw new Error(`sign-up failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { handle, id: reply.body.user.id as string, token: reply.body.token as string };
    },
  };
}

/** Polls until `check` stops throwing (events travel through queues), or fails after `ms`. */
/** A person client.signUp made, with their token. */
export type User = Awaited<ReturnType<ReturnType<typeof client>["signUp"]>>;

export async function eventually<T>(check: () => Promise<T>, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
