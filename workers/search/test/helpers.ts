import { env } from "cloudflare:workers";
import type { Event, EventData, EventOf, EventType, IndexedPost } from "@flock/contracts";
import { applyOnce, createDb, makeEvent, newId } from "@flock/kit";
import { processedEvents } from "../src/db/schema";
import { applyEvent, type ReadPosts } from "../src/events";
import type { Scope } from "../src/scope";

export function scopeOf(actorId: string | null = null): Scope {
  return { db: createDb(env.DB), ctx: { requestId: "test", actorId } };
}

/** An id no other test uses. */
export { newId };

/** An event as its producer would emit it. */
export function eventOf<T extends EventType>(type: T, data: EventData<T>): EventOf<T> {
  const producer = type.startsWith("post.") ? "posts" : "users";
  // makeEvent builds the envelope of exactly this type; the union it declares loses that.
  return makeEvent(producer, { requestId: "test" }, type, data) as EventOf<T>;
}

/** The posts service as a test defines it: what postsForIndex would answer for each id. */
export class PostsWorld {
  readonly posts = new Map<string, IndexedPost>();

  /** A visible original post by this author, written `ageMs` ago. */
  add(authorId: string, text: Partial<IndexedPost> & { body: string }, ageMs = 0): IndexedPost {
    const post: IndexedPost = {
      id: newId(),
      authorId,
      title: null,
      description: null,
      tags: [],
      status: "visible",
      sharedPostId: null,
      createdAt: new Date(Date.now() - ageMs).toISOString(),
      ...text,
    };
    this.posts.set(post.id, post);
    return post;
  }

  change(postId: string, changes: Partial<IndexedPost>) {
    const post = this.posts.get(postId);
    if (!post) throw new Error(`no post ${postId}`);
    this.posts.set(postId, { ...post, ...changes });
  }

  readonly read: ReadPosts = async (ids) =>
    ids.flatMap((id) => {
      const post = this.posts.get(id);
      return post ? [post] : [];
    });
}

/** Applies an event exactly as the queue consumer does: once, in one batch with its record. */
export async function apply(event: Event, world: PostsWorld = new PostsWorld()) {
  const db = createDb(env.DB);
  return applyOnce(
    { db, processed: processedEvents, handle: (e) => applyEvent(db, e, world.read) },
    event,
  );
}

/** Creates a post in the world and applies its post.created event. */
export async function publish(world: PostsWorld, post: IndexedPost) {
  await apply(
    eventOf("post.created", {
      postId: post.id,
      authorId: post.authorId,
      sharedPostId: post.sharedPostId,
      sharedPostAuthorId: null,
      mentions: [],
    }),
    world,
  );
}

/** Registers an account in the index through its user.registered event. */
export async function register(handle: string, displayName = handle): Promise<string> {
  const userId = newId();
  await apply(eventOf("user.registered", { userId, handle, displayName, avatarUrl: null }));
  return userId;
}
