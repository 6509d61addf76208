import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Event } from "@flock/contracts";
import { createDb, makeEvent, newId } from "@flock/kit";
import { image } from "@flock/testing/images";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { media } from "./db/schema";
import worker from "./index";

const service = exports.MediaService;
const as = (actorId: string) => ({ requestId: "test", actorId });
const db = createDb(env.DB);

async function uploadAs(owner: string): Promise<string> {
  const result = await service.upload(
    as(owner),
    "image/png",
    new Response(image("png")).body as ReadableStream,
  );
  if (!result.ok) throw new Error(result.error.code);
  return result.value.id;
}

async function deliver(events: Event[]) {
  const batch = createMessageBatch(
    "media-inbox",
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = getQueueResult(batch, ctx);
  return result;
}

/** The cron run, as the platform would start it every minute. */
const cron = () =>
  worker.scheduled({ cron: "* * * * *", scheduledTime: Date.now(), noRetry() {} }, env);

const left = async (ids: string[]) => ({
  rows: (await db.select({ id: media.id }).from(media).where(inArray(media.id, ids))).length,
  objects: (await Promise.all(ids.map((id) => env.BUCKET.head(id)))).filter(Boolean).length,
});

describe("claim", () => {
  it("attaches the caller's uploads in order, again to the same holder, and to nothing else", async () => {
    const owner = newId();
    const [a, b] = [await uploadAs(owner), await uploadAs(owner)];
    const post = { kind: "post" as const, id: newId() };
    const claimed = await service.claim(as(owner), post, [b, a]);
    expect(claimed).toMatchObject({
      ok: true,
      value: [{ id: b, url: `/media/${b}`, width: 12 }, { id: a }],
    });
    expect((await service.claim(as(owner), post, [a])).ok).toBe(true);
    const elsewhere = await service.claim(as(owner), { kind: "post", id: newId() }, [a]);
    expect(elsewhere).toMatchObject({ ok: false, error: { code: "conflict" } });
  });

  it("frees a claim its post never confirmed, for the uploader only, and keeps a confirmed one", async () => {
    const [owner, other] = [newId(), newId()];
    const [failed, posted] = [await uploadAs(owner), await uploadAs(owner)];
    const lost = { kind: "post" as const, id: newId() };
    const kept = { kind: "post" as const, id: newId() };
    expect((await service.claim(as(owner), lost, [failed])).ok).toBe(true);
    expect((await service.claim(as(owner), kept, [posted])).ok).toBe(true);
    await deliver([
      makeEvent("posts", { requestId: "test" }, "post.created", {
        postId: kept.id,
        authorId: owner,
        sharedPostId: null,
        sharedPostAuthorId: null,
        mentions: [],
      }),
    ]);
    // Someone else cannot free it; its uploader can, and a retried post then attaches it.
    expect((await service.release(as(other), lost)).ok).toBe(true);
    const retry = { kind: "post" as const, id: newId() };
    expect(await service.claim(as(owner), retry, [failed])).toMatchObject({ ok: false });
    expect((await service.release(as(owner), lost)).ok).toBe(true);
    expect((await service.claim(as(owner), retry, [failed])).ok).toBe(true);
    // The confirmed one stays with its post.
    expect((await service.release(as(owner), kept)).ok).toBe(true);
    expect(await service.claim(as(owner), retry, [posted])).toMatchObject({
      ok: false,
      error: { code: "conflict" },
    });
  });

  it("attaches nothing when one upload is another's or unknown", async () => {
    const [owner, other] = [newId(), newId()];
    const mine = await uploadAs(owner);
    const theirs = await uploadAs(other);
    const post = { kind: "post" as const, id: newId() };
    expect(await service.claim(as(owner), post, [mine, theirs])).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect(await service.claim(as(owner), post, [mine, newId()])).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    const [row] = await db.select().from(media).where(eq(media.id, mine));
    expect(row?.attachedTo).toBeNull();
    expect(await service.claim(as(owner), { kind: "avatar", id: other }, [mine])).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
  });
});

describe("the media inbox", () => {
  it("confirms a post's images on post.created and deletes bytes and rows on post.deleted, once", async () => {
    const owner = newId();
    const postId = newId();
    const id = await uploadAs(owner);
    await service.claim(as(owner), { kind: "post", id: postId }, [id]);
    const created = makeEvent("posts", { requestId: "t" }, "post.created", {
      postId,
      authorId: owner,
      sharedPostId: null,
      sharedPostAuthorId: null,
      mentions: [],
    });
    expect((await deliver([created])).explicitAcks).toEqual(["m0"]);
    const [row] = await db.select().from(media).where(eq(media.id, id));
    expect(row?.confirmedAt).toEqual(expect.any(Number));
    const deleted = makeEvent("posts", { requestId: "t" }, "post.deleted", {
      postId,
      authorId: owner,
      sharedPostId: null,
    });
    expect((await deliver([deleted, deleted])).explicitAcks).toEqual(["m0", "m1"]);
    await cron();
    expect(await left([id])).toEqual({ rows: 0, objects: 0 });
  });

  it("keeps the newest avatar whatever order its user.updated events arrive in", async () => {
    const owner = newId();
    const [older, newer] = [await uploadAs(owner), await uploadAs(owner)];
    const avatar = { kind: "avatar" as const, id: owner };
    await service.claim(as(owner), avatar, [older]);
    await service.claim(as(owner), avatar, [newer]);
    const updated = (url: string, occurredAt: string): Event => ({
      ...makeEvent("users", { requestId: "t" }, "user.updated", {
        userId: owner,
        handle: "someone",
        displayName: "Someone",
        avatarUrl: url,
      }),
      occurredAt,
    });
    await deliver([updated(`/media/${newer}`, "2026-12-01T10:00:01.000Z")]);
    await deliver([updated(`/media/${older}`, "2026-12-01T10:00:00.000Z")]);
    await cron();
    expect(await left([older])).toEqual({ rows: 0, objects: 0 });
    expect(await left([newer])).toEqual({ rows: 1, objects: 1 });
  });

  it("keeps the avatar whose change committed last, though its event was made first", async () => {
    for (const order of ["replaced first", "shown first"] as const) {
      const owner = newId();
      const [first, second] = [await uploadAs(owner), await uploadAs(owner)];
      const avatar = { kind: "avatar" as const, id: owner };
      await service.claim(as(owner), avatar, [first]);
      await service.claim(as(owner), avatar, [second]);
      // Two changes raced: the one naming `first` made its event earlier but committed later
      // (revision 2), so the account shows `first`.
      const updated = (id: string, revision: number, occurredAt: string): Event => ({
        ...makeEvent("users", { requestId: "t" }, "user.updated", {
          userId: owner,
          handle: "someone",
          displayName: "Someone",
          avatarUrl: `/media/${id}`,
          revision,
        }),
        occurredAt,
      });
      const shown = updated(first, 2, "2026-12-01T10:00:00.000Z");
      const replaced = updated(second, 1, "2026-12-01T10:00:01.000Z");
      for (const event of order === "replaced first" ? [replaced, shown] : [shown, replaced])
        await deliver([event]);
      await cron();
      expect(await left([first]), order).toEqual({ rows: 1, objects: 1 });
      expect(await left([second]), order).toEqual({ rows: 0, objects: 0 });
    }
  });

  it("deletes every upload of a deleted account", async () => {
    const owner = newId();
    const ids = [await uploadAs(owner), await uploadAs(owner)];
    await deliver([makeEvent("users", { requestId: "t" }, "user.deleted", { userId: owner })]);
    await cron();
    expect(await left(ids)).toEqual({ rows: 0, objects: 0 });
  });
});
