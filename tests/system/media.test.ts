// Uploading and serving images through the gateway, with every worker running: the bytes checked,
// stripped of their metadata (shown with exifr before and after), stored in local R2 and served with
// their stored type, safe headers and ranges; what is not an image, or too big, is refused.
import { dimensions, gifWithComment, image, pngWithText } from "@flock/testing/images";
import exifr from "exifr";
import { describe, expect, it } from "vitest";
import { eventually, type Reply } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

/** Uploads raw bytes as `type`, signed in with `token` (or not). */
export async function upload(
  token: string | null,
  type: string,
  bytes: Uint8Array,
  headers = {},
): Promise<Reply & { type: string | null }> {
  const response = await flock.server.fetch("http://localhost/v1/media", {
    method: "POST",
    headers: {
      "content-type": type,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: bytes,
  });
  return {
    status: response.status,
    headers: response.headers,
    type: response.headers.get("content-type"),
    body: await response.json(),
  };
}

async function fetchImage(url: string, headers: Record<string, string> = {}) {
  const response = await flock.server.fetch(`http://localhost${url}`, { headers });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("POST /v1/media and GET /media/:id", () => {
  it("serves an uploaded JPEG without the GPS position and artist it was sent with", async () => {
    const { token } = await flock.api.signUp("photographer");
    const sent = image("jpeg");
    const before = await exifr.parse(sent, { gps: true });
    expect(before).toMatchObject({ Artist: "Ada Lovelace", latitude: 51.5 });

    const uploaded = await upload(token, "image/jpeg", sent);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ contentType: "image/jpeg", ...dimensions.jpeg });
    expect(uploaded.body.url).toBe(`/media/${uploaded.body.id}`);

    const { response, bytes } = await fetchImage(uploaded.body.url);
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(uploaded.body.bytes);
    expect(bytes.length).toBeLessThan(sent.length);
    const after = await exifr.parse(bytes, { gps: true, xmp: true, iptc: true });
    expect(after).toBeUndefined();
    expect(Buffer.from(bytes).includes("Ada Lovelace")).toBe(false);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/jpeg",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": "public, max-age=31536000, immutable",
    });
  });

  it("stores PNG, WebP and GIF uploads without their text, EXIF and comments", async () => {
    const { token } = await flock.api.signUp("painter");
    const cases = [
      ["image/png", pngWithText("Author", "Ada Lovelace"), dimensions.png],
      ["image/webp", image("webp"), dimensions.webp],
      ["image/gif", gifWithComment("Ada Lovelace"), dimensions.gif],
    ] as const;
    for (const [type, bytes, size] of cases) {
      const uploaded = await upload(token, type, bytes);
      expect(uploaded, type).toMatchObject({ status: 201, body: { contentType: type, ...size } });
      const served = await fetchImage(uploaded.body.url);
      expect(served.response.headers.get("content-type")).toBe(type);
      expect(Buffer.from(served.bytes).includes("Ada Lovelace"), type).toBe(false);
    }
  });

  it("serves a byte range of an image", async () => {
    const { token } = await flock.api.signUp("ranger");
    const uploaded = await upload(token, "image/png", image("png"));
    const { response, bytes } = await fetchImage(uploaded.body.url, { range: "bytes=1-3" });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 1-3/${uploaded.body.bytes}`);
    expect(Buffer.from(bytes).toString("latin1")).toBe("PNG");
  });

  it("refuses what is not an image, a type the bytes contradict, a broken image, a big one and a stranger", async () => {
    const { token } = await flock.api.signUp("refused");
    const cases: Array<[string | null, string, Uint8Array, number]> = [
      [
        token,
        "image/svg+xml",
        new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"),
        415,
      ],
      [token, "image/jpeg", image("png"), 415],
      [token, "application/json", new TextEncoder().encode("{}"), 415],
      [token, "image/png", image("png").subarray(0, 40), 422],
      [token, "image/png", new Uint8Array(5 * 1024 * 1024 + 10), 413],
      [null, "image/png", image("png"), 401],
    ];
    for (const [who, type, bytes, status] of cases) {
      const answer = await upload(who, type, bytes);
      expect([answer.status, answer.type], `${type} ${bytes.length}`).toEqual([
        status,
        "application/problem+json",
      ]);
    }
  });

  it("answers an unknown image with a 404 problem, not the web app", async () => {
    const { response } = await fetchImage("/media/01JD0000000000000000000000");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

type MediaRow = { id: string; n: number };
/** The parts of the media worker's bindings these tests read, as the harness hands them over. */
type MediaEnv = {
  DB: {
    prepare(query: string): {
      bind(...values: unknown[]): {
        all<T>(): Promise<{ results: T[] }>;
        first<T>(): Promise<T | null>;
        run(): Promise<unknown>;
      };
    };
  };
  BUCKET: { head(key: string): Promise<unknown> };
};

/** The media service's rows and objects for these ids: what a cascade or the clean-up leaves. */
async function stored(ids: string[]) {
  const env = (await flock.server.getWorker("flock-media").getEnv()) as MediaEnv;
  const rows = await env.DB.prepare(
    "SELECT id, 1 AS n FROM media WHERE id IN (SELECT value FROM json_each(?))",
  )
    .bind(JSON.stringify(ids))
    .all<MediaRow>();
  const objects = await Promise.all(ids.map((id) => env.BUCKET.head(id)));
  return { rows: rows.results.length, objects: objects.filter(Boolean).length, env };
}

async function uploaded(token: string, name: "png" | "gif" | "jpeg" = "png"): Promise<string> {
  const reply = await upload(token, `image/${name}`, image(name));
  expect(reply.status).toBe(201);
  return reply.body.id;
}

describe("attaching uploads", () => {
  it("shows a post's images with their alt text, size and url in every post shape", async () => {
    const author = await flock.api.signUp("poster");
    const reader = await flock.api.signUp("reader");
    await flock.api.put(`/v1/users/${author.handle}/follow`, reader.token);
    const [first, second] = [await uploaded(author.token), await uploaded(author.token, "gif")];
    const created = await flock.api.post(
      "/v1/posts",
      {
        body: "two pictures",
        media: [
          { id: second, alt: "a tiny orange gif" },
          { id: first, alt: "" },
        ],
      },
      author.token,
    );
    expect(created.status).toBe(201);
    const expected = [
      { id: second, url: `/media/${second}`, alt: "a tiny orange gif", ...dimensions.gif },
      { id: first, url: `/media/${first}`, alt: "", ...dimensions.png },
    ];
    expect(created.body.media).toEqual(expected);
    const postId = created.body.id;
    expect((await flock.api.get(`/v1/posts/${postId}`)).body.media).toEqual(expected);
    expect((await flock.api.get(`/v1/users/${author.handle}/posts`)).body.items[0].media).toEqual(
      expected,
    );
    await eventually(async () => {
      const feed = await flock.api.get("/v1/feed", reader.token);
      expect(feed.body.items[0]?.media).toEqual(expected);
    });
    const share = await flock.api.post(`/v1/posts/${postId}/shares`, {}, reader.token);
    expect(share.body.media).toEqual([]);
    expect(share.body.sharedPost.media).toEqual(expected);
    // RealWorld's articles know nothing of images, and stay as their spec says.
    const article = await flock.api.get(`/api/articles/${created.body.id}`);
    expect(JSON.stringify(article.body)).not.toContain("media");
  });

  it("lets only the uploader attach an upload, once, and refuses more than four", async () => {
    const owner = await flock.api.signUp("owner");
    const thief = await flock.api.signUp("thief");
    const mine = await uploaded(owner.token);
    const attempt = (token: string, ids: string[]) =>
      flock.api.post("/v1/posts", { body: "x", media: ids.map((id) => ({ id, alt: "" })) }, token);
    expect((await attempt(thief.token, [mine])).status).toBe(403);
    expect((await attempt(owner.token, ["01JD0000000000000000000000"])).status).toBe(404);
    expect((await attempt(owner.token, [mine])).status).toBe(201);
    expect((await attempt(owner.token, [mine])).status).toBe(409);
    const five = await Promise.all([1, 2, 3, 4, 5].map(() => uploaded(owner.token)));
    expect((await attempt(owner.token, five)).status).toBe(422);
    expect((await attempt(owner.token, [five[0] ?? "", five[0] ?? ""])).status).toBe(422);
    const longAlt = await flock.api.post(
      "/v1/posts",
      { body: "x", media: [{ id: five[1], alt: "a".repeat(1001) }] },
      owner.token,
    );
    expect(longAlt.status).toBe(422);
    // A refused post attached nothing: the uploads are still free to attach.
    expect((await attempt(owner.token, five.slice(0, 4))).status).toBe(201);
  });

  it("sets an avatar from an upload of yours only, and no longer takes a URL on /v1", async () => {
    const me = await flock.api.signUp("face");
    const other = await flock.api.signUp("other");
    const picture = await uploaded(me.token);
    expect((await flock.api.patch("/v1/me", { avatarMediaId: picture }, other.token)).status).toBe(
      403,
    );
    const set = await flock.api.patch("/v1/me", { avatarMediaId: picture }, me.token);
    expect(set.status).toBe(200);
    expect(set.body.avatarUrl).toBe(`/media/${picture}`);
    expect((await flock.api.get(`/v1/users/${me.handle}`)).body.avatarUrl).toBe(
      `/media/${picture}`,
    );
    const external = await flock.api.patch(
      "/v1/me",
      { avatarUrl: "https://tracker.example/pixel.png" },
      me.token,
    );
    expect(external.status).toBe(422);
    expect((await flock.api.get(`/v1/users/${me.handle}`)).body.avatarUrl).toBe(
      `/media/${picture}`,
    );
    // A new avatar replaces the old one, whose bytes then go.
    const next = await uploaded(me.token, "gif");
    expect((await flock.api.patch("/v1/me", { avatarMediaId: next }, me.token)).status).toBe(200);
    await eventually(async () => expect((await stored([picture])).rows).toBe(0));
    expect(await stored([picture])).toMatchObject({ objects: 0 });
    expect(await stored([next])).toMatchObject({ rows: 1, objects: 1 });
    // RealWorld's image keeps its spec: any URL.
    const rw = await flock.api.request("PUT", "/api/user", {
      token: me.token,
      body: { user: { image: "https://example.com/me.png" } },
    });
    expect(rw.body.user.image).toBe("https://example.com/me.png");
  });

  it("deletes the images of a deleted post, and every upload of a deleted account", async () => {
    const author = await flock.api.signUp("leaver");
    const [a, b, loose] = [
      await uploaded(author.token),
      await uploaded(author.token),
      await uploaded(author.token),
    ];
    const post = await flock.api.post(
      "/v1/posts",
      { body: "soon gone", media: [{ id: a, alt: "" }] },
      author.token,
    );
    await flock.api.patch("/v1/me", { avatarMediaId: b }, author.token);
    expect((await flock.api.del(`/v1/posts/${post.body.id}`, author.token)).status).toBe(204);
    await eventually(async () => expect(await stored([a])).toMatchObject({ rows: 0, objects: 0 }));
    expect((await fetchImage(`/media/${a}`)).response.status).toBe(404);
    expect(await stored([b, loose])).toMatchObject({ rows: 2, objects: 2 });
    expect((await flock.api.deleteAccount(author.token)).status).toBe(204);
    await eventually(async () =>
      expect(await stored([b, loose])).toMatchObject({ rows: 0, objects: 0 }),
    );
  });

  it("deletes uploads left unattached for a day, and keeps attached ones, when the cron runs", async () => {
    const user = await flock.api.signUp("forgetful");
    const [left, kept, fresh] = [
      await uploaded(user.token),
      await uploaded(user.token),
      await uploaded(user.token),
    ];
    await flock.api.post("/v1/posts", { body: "kept", media: [{ id: kept, alt: "" }] }, user.token);
    const { env } = await stored([]);
    await eventually(async () => {
      const row = await env.DB.prepare("SELECT confirmed_at FROM media WHERE id = ?")
        .bind(kept)
        .first<{ confirmed_at: number | null }>();
      expect(row?.confirmed_at).not.toBeNull();
    });
    const dayAgo = Date.now() - 25 * 60 * 60 * 1000;
    await env.DB.prepare(
      "UPDATE media SET created_at = ?, claimed_at = ? WHERE id IN (SELECT value FROM json_each(?))",
    )
      .bind(dayAgo, dayAgo, JSON.stringify([left, kept]))
      .run();
    await flock.server.getWorker("flock-media").scheduled({ cron: "* * * * *" });
    await eventually(async () =>
      expect(await stored([left])).toMatchObject({ rows: 0, objects: 0 }),
    );
    expect(await stored([kept, fresh])).toMatchObject({ rows: 2, objects: 2 });
  });
});
