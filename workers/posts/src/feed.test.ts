import { env } from "cloudflare:workers";
import type { PostRecord } from "@flock/contracts";
import { newId } from "@flock/kit";
import { describe, expect, it } from "vitest";
import { scopeOf, userId } from "../test/helpers";
import { createPost } from "./posts";
import { homeFeed, homeFeedByOffset, MERGE_SCAN } from "./timelines";

/** More celebrities than the users service would ever take in one call (it refuses past 1,000 ids). */
const CELEBRITIES = 1200;

type Seeded = { id: string; authorId: string };

/** `count` posts by as many new authors, oldest first, and the statement that writes them (body `body`). */
function newPosts(count: number, body: string) {
  const seeded: Seeded[] = Array.from({ length: count }, () => ({
    id: newId(),
    authorId: userId(),
  }));
  const json = JSON.stringify(seeded);
  const now = new Date().toISOString();
  const insert = env.DB.prepare(
    `INSERT INTO posts (id, author_id, body, tags, created_at, updated_at)
     SELECT json_extract(value, '$.id'), json_extract(value, '$.authorId'), ?3, '[]', ?2, ?2
     FROM json_each(?1)`,
  ).bind(json, now, body);
  return { seeded, json, now, insert };
}

/**
 * Writes celebrities with one merged post each straight into this test's D1, oldest first, as the
 * posts service leaves them: a row in posts, one in merged_posts, one in celebrities.
 */
async function seedCelebrities(count: number): Promise<Seeded[]> {
  const { seeded, json, now, insert } = newPosts(count, "famous");
  await env.DB.batch([
    insert,
    env.DB.prepare(
      `INSERT INTO merged_posts (post_id, author_id)
       SELECT json_extract(value, '$.id'), json_extract(value, '$.authorId') FROM json_each(?1)`,
    ).bind(json),
    env.DB.prepare(
      `INSERT INTO celebrities (author_id, since)
       SELECT json_extract(value, '$.authorId'), ?2 FROM json_each(?1)`,
    ).bind(json, now),
  ]);
  return seeded;
}

/** Records, as the user.followed events would, that the reader follows these authors. */
async function follows(reader: string, authorIds: string[]) {
  await env.DB.prepare(
    `INSERT INTO follow_states (follower_id, followee_id, following, event_id)
     SELECT ?1, value, 1, ?2 FROM json_each(?3)`,
  )
    .bind(reader, newId(), JSON.stringify(authorIds))
    .run();
}

/** Every page of the reader's cursor-paged feed, one after another, and how many pages it took. */
async function walk(reader: string, limit: number) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await homeFeed(scopeOf(reader), { limit, cursor });
    seen.push(...page.items.map((post: PostRecord) => post.id));
    sizes.push(page.items.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { seen, sizes };
}

const newestFirst = (ids: string[]) => [...ids].sort().reverse();

/** Posts by accounts the reader follows, fanned out to the reader's timeline, oldest first. */
async function seedTimeline(reader: string, count: number): Promise<string[]> {
  const { seeded, json, insert } = newPosts(count, "fanned");
  await env.DB.batch([
    insert,
    env.DB.prepare(
      `INSERT INTO timeline_entries (user_id, post_id, author_id)
       SELECT ?2, json_extract(value, '$.id'), json_extract(value, '$.authorId') FROM json_each(?1)`,
    ).bind(json, reader),
  ]);
  await follows(
    reader,
    seeded.map((post) => post.authorId),
  );
  return seeded.map((post) => post.id);
}

// Files run one database each: these celebrities are the only ones, and every test reads the same set.
describe("the home feed's merge of celebrities", () => {
  it("answers with every followed celebrity's post, in order, with more than 1,000 celebrities", async () => {
    const celebrities = await seedCelebrities(CELEBRITIES);
    const reader = userId();
    // The reader follows all but every twelfth, and writes a post of their own among them.
    const followed = celebrities.filter((_, i) => i % 12 !== 0);
    await follows(
      reader,
      followed.map((post) => post.authorId),
    );
    const mine = await createPost(scopeOf(reader), { body: "mine" }, { firstFollowers: null });
    const expected = newestFirst([...followed.map((post) => post.id), mine.id]);

    const first = await homeFeed(scopeOf(reader), { limit: 20 });
    expect(first.items.map((post) => post.id)).toEqual(expected.slice(0, 20));
    expect(first.items[1]?.body).toBe("famous");
    const { seen } = await walk(reader, 100);
    expect(seen).toEqual(expected);

    const byPosition = await homeFeedByOffset(scopeOf(reader), { limit: 20, offset: 500 });
    expect(byPosition.items.map((post) => post.id)).toEqual(expected.slice(500, 520));
    expect(byPosition.total).toBe(expected.length);
  });

  it("reaches a followed celebrity's old post past the merge's depth, page by page, skipping nothing", async () => {
    const celebrities = await seedCelebrities(MERGE_SCAN + 300);
    const reader = userId();
    // Two old posts, deeper than one page's merge reads, and everything newer by strangers to the reader.
    const followed = [celebrities[3], celebrities[10]].flatMap((post) => (post ? [post] : []));
    await follows(
      reader,
      followed.map((post) => post.authorId),
    );
    const { seen, sizes } = await walk(reader, 20);
    expect(seen).toEqual(newestFirst(followed.map((post) => post.id)));
    // Each page reads at most MERGE_SCAN merged posts: all of them take several short pages.
    expect(sizes.length).toBeGreaterThan(1);
  });

  it("gives a reader who follows no celebrity full pages, however many merged posts are newer than theirs", async () => {
    const reader = userId();
    const timeline = await seedTimeline(reader, 45);
    // More merged posts than a page's merge reads, all newer than anything in the reader's timeline.
    await seedCelebrities(MERGE_SCAN + 300);
    const first = await homeFeed(scopeOf(reader), { limit: 20 });
    expect(first.items.map((post) => post.id)).toEqual(newestFirst(timeline).slice(0, 20));
    const { seen, sizes } = await walk(reader, 20);
    expect(seen).toEqual(newestFirst(timeline));
    expect(sizes).toEqual([20, 20, 5]);
  });
});
