// A seeded mixed workload through the public gateway, sent by several clients at once: people sign
// up, log out and back in, change their password, follow and unfollow, post, share, like and unlike,
// comment, report comments and posts, block and mute one another, delete comments, posts and their
// accounts, and read their feeds; a moderator suspends and unsuspends them. Some steps race two
// writes that consistency depends on (a like against an unlike, a post against its author's
// deletion, a like against its actor's logout, ...), sent together, and some try a token whose
// session ended longer ago than the gateway's window. Each client has
// its own random stream, drawn from the run's seed; they share one world of people, posts and
// comments. A refusal (4xx) is fine and a 5xx is counted; every write that succeeded is counted by
// kind, so that a run can demand a floor of each: a workload that was refused everything proves
// nothing.
import { image } from "../../packages/testing/src/images.ts";

export type Http = (
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: unknown; bookmark?: string | null }>;

/** The header a client keeps and sends back for read-your-writes (decision 0015). */
export const BOOKMARK_HEADER = "flock-bookmark";

/** The public gateway at `base` as the workload calls it: JSON in, parsed JSON (or text) out. */
export function gatewayHttp(base: string): Http {
  return async (method, path, token, body, headers) => {
    // Bytes (an upload) go as they are, with the content type the caller gives; the rest as JSON.
    const raw = body instanceof Uint8Array;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined || raw ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : raw
            ? (body as Uint8Array<ArrayBuffer>)
            : JSON.stringify(body),
    });
    const text = await response.text();
    const bookmark = response.headers.get(BOOKMARK_HEADER);
    try {
      return {
        status: response.status,
        body: text ? (JSON.parse(text) as unknown) : null,
        bookmark,
      };
    } catch {
      return { status: response.status, body: text, bookmark };
    }
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same stream. */
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

/** Every kind of write the workload makes; a run fails when too few of any kind succeeded. */
export const writeKinds = [
  "register",
  "follow",
  "unfollow",
  "post",
  "editPost",
  "share",
  "like",
  "unlike",
  "comment",
  "report",
  "deleteComment",
  "deletePost",
  "deleteAccount",
  "logout",
  "changePassword",
  "block",
  "unblock",
  "mute",
  "unmute",
  "reportPost",
  "suspend",
  "unsuspend",
  "upload",
  "attach",
  "avatar",
] as const;
export type WriteKind = (typeof writeKinds)[number];

export type WorkloadResult = {
  requests: number;
  serverErrors: number;
  byStatus: Record<string, number>;
  /** Writes that succeeded (2xx), by kind. */
  succeeded: Record<WriteKind, number>;
  /** The statuses of the writes that did not, by kind: what a floor's violation says it met. */
  refused: Record<WriteKind, Record<string, number>>;
  /** How many racing pairs were sent. */
  races: number;
  /** Tokens whose session ended (logout, a password change elsewhere, the account's deletion). */
  ended: EndedSession[];
  /** Requests a token was let through with after its session had ended more than a window ago. */
  staleAccepted: Array<{ why: EndedSession["why"]; status: number; endedMsAgo: number }>;
  /** How many times each step was drawn. */
  drawn: Record<StepName, number>;
  /** Posts read back by their author at once (by id and in their feed), and those the read missed. */
  readBacks: number;
  staleReads: Array<{ postId: string; byId: number; inFeed: boolean }>;
  /** The people still standing at the end, with their newest tokens, for the reads the invariants make. */
  people: Person[];
};

/** A session the workload saw end: its token must be refused from `endedAt` plus the window on. */
export type EndedSession = {
  token: string;
  endedAt: number;
  why: "logout" | "password change" | "deletion";
};

export type Person = { handle: string; token: string };
type PostRef = { id: string; author: Person };
type CommentRef = { id: string; postId: string; author: Person };
type UploadRef = { id: string; owner: Person };

/**
 * What all clients share: the live people, posts and comments, as the answers told them, and the
 * moderator who suspends and unsuspends them.
 */
type World = {
  people: Person[];
  posts: PostRef[];
  comments: CommentRef[];
  /** Uploads not attached yet. */
  uploads: UploadRef[];
  registered: number;
  ended: EndedSession[];
  moderator: Person | null;
  /** The handles the moderator has suspended and not yet unsuspended. */
  suspended: Set<string>;
  /**
   * The handles whose account deletion was sent, from the moment it was sent (an answer lost to an
   * outage may still have deleted it): their reads within the session window see them leaving.
   */
  leaving: Set<string>;
};

/** The gateway as the steps call it: each call says which kind of write it is, or a read. */
type Call = (kind: WriteKind | "read", ...request: Parameters<Http>) => ReturnType<Http>;

/**
 * How often each step comes up, out of their sum. The plain writes make each kind on its own; the
 * races send two writes at once whose order the services must not depend on.
 */
const weights = {
  register: 3,
  follow: 10,
  unfollow: 4,
  post: 13,
  editPost: 4,
  share: 5,
  like: 11,
  unlike: 5,
  comment: 11,
  report: 3,
  deleteComment: 3,
  deletePost: 3,
  deleteAccount: 1,
  logout: 2,
  changePassword: 2,
  block: 3,
  unblock: 2,
  mute: 3,
  unmute: 2,
  reportPost: 3,
  suspend: 1,
  unsuspend: 3,
  upload: 4,
  attach: 3,
  avatar: 2,
  read: 5,
  search: 3,
  "write with an ended session's token": 2,
  "like against unlike": 5,
  "follow against unfollow": 4,
  "post against its author's deletion": 2,
  "like against its actor's deletion": 1,
  "comment against its author's deletion": 1,
  "share against its sharer's deletion": 1,
  "like against its actor's logout": 1,
  "post against its author's password change": 1,
  "report against its reporter's deletion": 1,
  "comment against its post's deletion": 2,
  "share against its post's deletion": 2,
  "post against a follower's block": 2,
  "like against a block by the post's author": 2,
  "post against its author's suspension": 1,
  "like against its actor's suspension": 1,
} as const satisfies Record<WriteKind | "read", number> & Record<string, number>;
export type StepName = keyof typeof weights;
const stepNames = Object.keys(weights) as StepName[];
const totalWeight = stepNames.reduce((sum, name) => sum + weights[name], 0);
const isRace = (name: StepName) => name.includes(" against ");

const ok = (status: number) => status >= 200 && status < 300;

/** Every account's password: deleting an account asks for it. */
const PASSWORD = "fault-tolerant";

/** Accounts left standing: below this, nobody deletes theirs (sign-ups keep adding more). */
const MIN_PEOPLE = 4;

/** The steps of one client, by name, drawing from its own stream. */
function stepsFor(
  world: World,
  random: ReturnType<typeof rng>,
  call: Call,
  options: {
    tag: string;
    sessionWindowMs: number;
    staleAccepted: WorkloadResult["staleAccepted"];
    readBacks: { count: number };
    staleReads: WorkloadResult["staleReads"];
  },
) {
  const { tag } = options;
  const someone = () => random.pick(world.people);
  const somePost = () => random.pick(world.posts);
  const someComment = () => random.pick(world.comments);

  // A post's comments go with it.
  const forgetPost = (id: string) => {
    world.posts = world.posts.filter((post) => post.id !== id);
    world.comments = world.comments.filter((c) => c.postId !== id);
  };
  const register = async () => {
    world.registered += 1;
    const handle = `f${tag}_${world.registered}`;
    const reply = await call("register", "POST", "/v1/auth/register", undefined, {
      handle,
      email: `${handle}@example.com`,
      password: PASSWORD,
    });
    if (ok(reply.status))
      world.people.push({ handle, token: (reply.body as { token: string }).token });
  };
  const follow = (a: Person, b: Person) =>
    call("follow", "PUT", `/v1/users/${b.handle}/follow`, a.token);
  const unfollow = (a: Person, b: Person) =>
    call("unfollow", "DELETE", `/v1/users/${b.handle}/follow`, a.token);
  const block = (a: Person, b: Person) =>
    call("block", "PUT", `/v1/users/${b.handle}/block`, a.token);
  const unblock = (a: Person, b: Person) =>
    call("unblock", "DELETE", `/v1/users/${b.handle}/block`, a.token);
  const mute = (a: Person, b: Person) => call("mute", "PUT", `/v1/users/${b.handle}/mute`, a.token);
  const unmute = (a: Person, b: Person) =>
    call("unmute", "DELETE", `/v1/users/${b.handle}/mute`, a.token);
  const like = (who: Person, post: PostRef) =>
    call("like", "PUT", `/v1/posts/${post.id}/like`, who.token);
  const unlike = (who: Person, post: PostRef) =>
    call("unlike", "DELETE", `/v1/posts/${post.id}/like`, who.token);
  const ended = (token: string, why: EndedSession["why"]) =>
    world.ended.push({ token, endedAt: Date.now(), why });
  const writePost = async (author: Person, token = author.token, readBack = false) => {
    // Some posts reuse a key: a retried create must answer the first post, not write another.
    const key: Record<string, string> =
      random.next() < 0.3 ? { "idempotency-key": `k${Math.floor(random.next() * 20)}` } : {};
    const body = { body: `post by ${author.handle} @${someone()?.handle ?? "nobody"}` };
    const reply = await call("post", "POST", "/v1/posts", token, body, key);
    const id = ok(reply.status) ? (reply.body as { id: string }).id : null;
    // Read-your-writes: a new post (not a keyed retry, which may answer an older one) is there for
    // its author at once, by id and in their feed, before any other client knows of it to delete it.
    if (id && readBack && !key["idempotency-key"]) await readOwnPost(author, token, id);
    if (id && !world.posts.some((post) => post.id === id)) world.posts.push({ id, author });
  };
  const readOwnPost = async (author: Person, token: string, postId: string) => {
    const byId = await call("read", "GET", `/v1/posts/${postId}`, token);
    const feed = await call("read", "GET", "/v1/feed?limit=20", token);
    // A 401 or 503 (a session another step ended, an injected outage) tells nothing either way.
    if ([byId.status, feed.status].some((status) => status === 401 || status >= 500)) return;
    // Nor does a read by an author another client is deleting: their token works for the session
    // window, but their feed rows go with the account at once and their posts a page at a time after.
    if (world.leaving.has(author.handle)) return;
    options.readBacks.count += 1;
    const items = feed.status === 200 ? (feed.body as { items: Array<{ id: string }> }).items : [];
    const inFeed = items.some((item) => item.id === postId);
    if (byId.status !== 200 || !inFeed)
      options.staleReads.push({ postId, byId: byId.status, inFeed });
  };
  // Now and then the edit breaks a moderation rule, so the post is held and leaves the search index.
  const editPost = (post: PostRef, editor: Person) =>
    call("editPost", "PATCH", `/v1/posts/${post.id}`, editor.token, {
      body: random.next() < 0.2 ? "cheap viagra, edited" : `edited by ${editor.handle}`,
    });
  const share = async (sharer: Person, post: PostRef) => {
    const reply = await call("share", "POST", `/v1/posts/${post.id}/shares`, sharer.token, {});
    if (ok(reply.status))
      world.posts.push({ id: (reply.body as { id: string }).id, author: sharer });
  };
  const comment = async (writer: Person, post: PostRef) => {
    const thread = world.comments.filter((c) => c.postId === post.id);
    const parent = random.next() < 0.3 ? random.pick(thread) : undefined;
    const reply = await call("comment", "POST", `/v1/posts/${post.id}/comments`, writer.token, {
      body: `comment by ${writer.handle}`,
      ...(parent ? { parentId: parent.id } : {}),
    });
    if (ok(reply.status))
      world.comments.push({
        id: (reply.body as { id: string }).id,
        postId: post.id,
        author: writer,
      });
  };
  const someUpload = () => random.pick(world.uploads);
  const upload = async (who: Person) => {
    const reply = await call("upload", "POST", "/v1/media", who.token, image("png"), {
      "content-type": "image/png",
    });
    if (ok(reply.status)) world.uploads.push({ id: (reply.body as { id: string }).id, owner: who });
  };
  const attached = (target: UploadRef) => {
    world.uploads = world.uploads.filter((item) => item !== target);
  };
  // Mostly by the uploader, who may; now and then by someone else, who must be refused.
  const attach = async (target: UploadRef) => {
    const author = random.next() < 0.9 ? target.owner : (someone() ?? target.owner);
    const reply = await call("attach", "POST", "/v1/posts", author.token, {
      body: `a picture by ${author.handle}`,
      media: [{ id: target.id, alt: "a picture" }],
    });
    if (!ok(reply.status)) return;
    attached(target);
    world.posts.push({ id: (reply.body as { id: string }).id, author });
  };
  const avatar = async (target: UploadRef) => {
    const reply = await call("avatar", "PATCH", "/v1/me", target.owner.token, {
      avatarMediaId: target.id,
    });
    if (ok(reply.status)) attached(target);
  };
  const reportPost = (who: Person, target: PostRef) =>
    call("reportPost", "POST", `/v1/posts/${target.id}/report`, who.token, { reason: "fault" });
  // By the run's moderator; a suspended person stays in the world, and every write of theirs is
  // refused until the moderator lifts the suspension (so that the world does not fill up with
  // suspended people whose every write is a 403, the unsuspend step picks one of them).
  const suspension = (kind: "suspend" | "unsuspend") => async (who: Person) => {
    const moderator = world.moderator;
    if (!moderator) return;
    const reply = await call(
      kind,
      "POST",
      `/v1/moderation/accounts/${who.handle}/${kind}`,
      moderator.token,
      {},
    );
    if (!ok(reply.status)) return;
    if (kind === "suspend") world.suspended.add(who.handle);
    else world.suspended.delete(who.handle);
  };
  const suspend = suspension("suspend");
  const unsuspend = suspension("unsuspend");
  const someSuspended = () =>
    random.pick(world.people.filter((p) => world.suspended.has(p.handle)));
  const report = (who: Person, target: CommentRef) =>
    call("report", "POST", `/v1/comments/${target.id}/report`, who.token, { reason: "fault test" });
  const deleteComment = async (target: CommentRef) => {
    const reply = await call(
      "deleteComment",
      "DELETE",
      `/v1/comments/${target.id}`,
      target.author.token,
    );
    if (ok(reply.status)) world.comments = world.comments.filter((c) => c !== target);
  };
  const deletePost = async (post: PostRef, who = post.author) => {
    const reply = await call("deletePost", "DELETE", `/v1/posts/${post.id}`, who.token);
    if (ok(reply.status)) forgetPost(post.id);
  };
  const deleteAccount = async (leaving: Person) => {
    world.leaving.add(leaving.handle);
    const reply = await call("deleteAccount", "DELETE", "/v1/me", leaving.token, {
      password: PASSWORD,
    });
    if (!ok(reply.status)) return;
    ended(leaving.token, "deletion");
    // Their posts and comments go with them.
    world.people = world.people.filter((person) => person !== leaving);
    for (const post of world.posts.filter((p) => p.author === leaving)) forgetPost(post.id);
    world.comments = world.comments.filter((c) => c.author !== leaving);
    world.uploads = world.uploads.filter((item) => item.owner !== leaving);
  };
  // Logging out ends the session; the person signs back in (counted with the step) for a new token.
  const logOut = async (who: Person) => {
    const token = who.token;
    const reply = await call("logout", "POST", "/v1/auth/logout", token);
    if (!ok(reply.status)) return;
    ended(token, "logout");
    const again = await call("logout", "POST", "/v1/auth/login", undefined, {
      login: who.handle,
      password: PASSWORD,
    });
    if (ok(again.status)) who.token = (again.body as { token: string }).token;
  };
  // A second device signs in (a read: it is not the write counted), so that the change has another
  // session to end; `during` writes with that device's token while the change runs.
  const changePassword = async (
    who: Person,
    during: (otherDevice: string) => Promise<unknown> = async () => {},
  ) => {
    const device = await call("read", "POST", "/v1/auth/login", undefined, {
      login: who.handle,
      password: PASSWORD,
    });
    if (!ok(device.status)) return;
    const otherDevice = (device.body as { token: string }).token;
    // To the same password: the change still ends every other session, and everyone keeps one.
    const [reply] = await Promise.all([
      call("changePassword", "PATCH", "/v1/me", who.token, {
        password: PASSWORD,
        currentPassword: PASSWORD,
      }),
      during(otherDevice),
    ]);
    if (ok(reply.status)) ended(otherDevice, "password change");
  };
  // A token whose session ended longer ago than the window must be refused by every isolate.
  const staleWrite = async () => {
    const cutoff = Date.now() - options.sessionWindowMs;
    const session = random.pick(world.ended.filter((entry) => entry.endedAt < cutoff));
    const post = somePost();
    if (!session || !post) return;
    const reply = await call("read", "PUT", `/v1/posts/${post.id}/like`, session.token);
    // A 503 is an injected outage of the session check: refused, not let through.
    if (reply.status !== 401 && reply.status !== 503)
      options.staleAccepted.push({
        why: session.why,
        status: reply.status,
        endedMsAgo: Date.now() - session.endedAt,
      });
  };
  const leaver = () => (world.people.length > MIN_PEOPLE ? someone() : undefined);
  /** A write by someone who may leave, sent together with their account's deletion. */
  const againstLeaving =
    <T>(pick: () => T | undefined, write: (who: Person, item: T) => Promise<unknown>) =>
    async () => {
      const [who, item] = [leaver(), pick()];
      if (who && item) await Promise.all([write(who, item), deleteAccount(who)]);
    };
  const byPair = (act: (a: Person, b: Person) => Promise<unknown>) => async () => {
    const [a, b] = [someone(), someone()];
    if (a && b && a !== b) await act(a, b);
  };
  const onPost = (act: (who: Person, post: PostRef) => Promise<unknown>) => async () => {
    const [who, post] = [someone(), somePost()];
    if (who && post) await act(who, post);
  };
  const on =
    <T>(pick: () => T | undefined, act: (item: T) => Promise<unknown>) =>
    async () => {
      const item = pick();
      if (item) await act(item);
    };

  const steps: Record<StepName, () => Promise<unknown>> = {
    register,
    follow: byPair(follow),
    unfollow: byPair(unfollow),
    post: on(someone, (author) => writePost(author, author.token, true)),
    share: onPost(share),
    // Mostly by the author, who may; now and then by someone else, who must be refused.
    editPost: on(somePost, (post) =>
      editPost(post, random.next() < 0.85 ? post.author : (someone() ?? post.author)),
    ),
    like: onPost(like),
    unlike: onPost(unlike),
    comment: onPost(comment),
    report: async () => {
      const [who, target] = [someone(), someComment()];
      if (who && target) await report(who, target);
    },
    block: byPair(block),
    unblock: byPair(unblock),
    mute: byPair(mute),
    unmute: byPair(unmute),
    reportPost: onPost(reportPost),
    suspend: on(someone, suspend),
    unsuspend: on(someSuspended, unsuspend),
    deleteComment: on(someComment, deleteComment),
    // Mostly by the author, who may; now and then by someone else, who must be refused.
    deletePost: on(somePost, (post) =>
      deletePost(post, random.next() < 0.85 ? post.author : someone()),
    ),
    deleteAccount: on(leaver, deleteAccount),
    upload: on(someone, upload),
    attach: on(someUpload, attach),
    avatar: on(someUpload, avatar),
    logout: on(someone, logOut),
    changePassword: on(someone, (who) => changePassword(who)),
    read: on(someone, (reader) => call("read", "GET", "/v1/feed?limit=20", reader.token)),
    search: on(someone, (reader) =>
      call("read", "GET", `/v1/search?q=${random.pick(["post", "edited", "by"])}`, reader.token),
    ),
    "write with an ended session's token": staleWrite,
    "like against unlike": onPost((who, post) => Promise.all([like(who, post), unlike(who, post)])),
    "follow against unfollow": byPair((a, b) => Promise.all([follow(a, b), unfollow(a, b)])),
    "post against its author's deletion": on(leaver, (author) =>
      Promise.all([writePost(author), deleteAccount(author)]),
    ),
    "like against its actor's deletion": againstLeaving(somePost, like),
    "comment against its author's deletion": againstLeaving(somePost, comment),
    "share against its sharer's deletion": againstLeaving(somePost, share),
    "report against its reporter's deletion": againstLeaving(someComment, report),
    "like against its actor's logout": onPost((who, post) =>
      Promise.all([like(who, post), logOut(who)]),
    ),
    "post against its author's password change": on(someone, (author) =>
      changePassword(author, (otherDevice) => writePost(author, otherDevice)),
    ),
    "comment against its post's deletion": onPost((who, post) =>
      Promise.all([comment(who, post), deletePost(post)]),
    ),
    "share against its post's deletion": onPost((who, post) =>
      Promise.all([share(who, post), deletePost(post)]),
    ),
    // The new post's fan-out is in flight while one of its readers blocks its author.
    "post against a follower's block": byPair(async (reader, author) => {
      await follow(reader, author);
      await Promise.all([writePost(author), block(reader, author)]);
    }),
    "like against a block by the post's author": onPost((who, post) =>
      who === post.author
        ? Promise.resolve()
        : Promise.all([like(who, post), block(post.author, who)]),
    ),
    "post against its author's suspension": on(someone, (author) =>
      Promise.all([writePost(author), suspend(author)]),
    ),
    "like against its actor's suspension": onPost((who, post) =>
      Promise.all([like(who, post), suspend(who)]),
    ),
  };
  return steps;
}

/** The step a roll in [0, 1) lands on, by weight. */
function choose(roll: number): StepName {
  let left = roll * totalWeight;
  for (const name of stepNames) {
    left -= weights[name];
    if (left < 0) return name;
  }
  return "read";
}

/** The share of its expected attempts each kind of write must at least see succeed. */
const FLOOR_SHARE = 0.25;
/**
 * Kinds whose targets the racing clients often take away first: a report names any comment the
 * client has seen, and most of those are deleted with their post or account by the time it is sent;
 * reporting a post likewise names any post seen (and is refused for the reporter's own post, or
 * while the reporter is suspended); editing a post needs one still there. A tenth of their draws, so a run whose races took the
 * targets away does not fail for it. Attaching needs an upload still free and its owner still
 * standing, undoing a block, a mute or a suspension one that still stands, and deleting a comment
 * one of the client's own still there: in 26 runs each of them saw none succeed in some run with
 * every invariant holding, so for them only the check over all runs counts (at least one success).
 */
const FLOOR_SHARES: Partial<Record<WriteKind, number>> = {
  report: 0.1,
  reportPost: 0.1,
  editPost: 0.1,
  attach: 0,
  avatar: 0,
  deleteComment: 0,
  unblock: 0,
  unmute: 0,
  unsuspend: 0,
};

/**
 * The fewest writes of each kind a run must see succeed: a quarter of the times its plain step was
 * drawn (the races add more; a tenth for the kinds above), rounded down. Counted from the draws rather than
 * from the weights: a seed's draw is fixed by the weights, and one that draws a step far less often
 * than its weight says must not fail for that. A kind drawn too seldom for a floor of one in a run
 * must still succeed at least once over all the runs (`npm run test:faults` checks that).
 */
export function floors(drawn: Record<StepName, number>): Record<WriteKind, number> {
  return Object.fromEntries(
    writeKinds.map((kind) => [kind, Math.floor(drawn[kind] * (FLOOR_SHARES[kind] ?? FLOOR_SHARE))]),
  ) as Record<WriteKind, number>;
}

/**
 * Runs `steps` steps in all, shared among `clients` concurrent clients, after `people` sign-ups.
 * Client i draws from a stream seeded by the i-th number of the run seed's own stream, so
 * `--seed N` replays every client's choices (how the clients interleave is up to the machine).
 */
export async function runWorkload(
  http: Http,
  options: {
    seed: number;
    steps: number;
    clients: number;
    people: number;
    tag: string;
    /** How long an isolate may still accept an ended session's token (SESSION_RECHECK_MS). */
    sessionWindowMs: number;
    /** Gives an account the moderator role, as `npm run moderator -- grant` does. */
    grantModerator: (handle: string) => Promise<void>;
    /** Each device (token) keeps the Flock-Bookmark it was last answered with and sends it back. */
    keepBookmarks: boolean;
  },
): Promise<WorkloadResult> {
  const world: World = {
    people: [],
    posts: [],
    comments: [],
    uploads: [],
    registered: 0,
    ended: [],
    moderator: null,
    suspended: new Set(),
    leaving: new Set(),
  };
  const result: WorkloadResult = {
    requests: 0,
    serverErrors: 0,
    byStatus: {},
    succeeded: Object.fromEntries(writeKinds.map((kind) => [kind, 0])) as Record<WriteKind, number>,
    refused: Object.fromEntries(writeKinds.map((kind) => [kind, {}])) as WorkloadResult["refused"],
    races: 0,
    ended: world.ended,
    staleAccepted: [],
    drawn: Object.fromEntries(stepNames.map((name) => [name, 0])) as Record<StepName, number>,
    people: [],
    readBacks: 0,
    staleReads: [],
  };
  const readBacks = { count: 0 };
  // What each device (token) keeps of Flock-Bookmark: the tokens of its answers not yet sent back.
  // An answer covers every token its request sent, so those are dropped for it; answers to requests
  // sent at once are all kept, and sent back together (the gateway merges them).
  const jars = new Map<string, string[]>();
  const call: Call = async (kind, method, path, token, body, headers) => {
    const sent = (token && jars.get(token)) || [];
    const carried: Record<string, string> =
      options.keepBookmarks && sent.length > 0
        ? { [BOOKMARK_HEADER]: sent.slice(-4).join(", ") }
        : {};
    const reply = await http(method, path, token, body, { ...headers, ...carried });
    if (options.keepBookmarks && reply.bookmark) {
      const issued = (reply.body as { token?: unknown } | null)?.token;
      // A sign-in's answer starts the new token's jar.
      const device = typeof issued === "string" ? issued : token;
      if (device) {
        const kept = (jars.get(device) ?? []).filter((entry) => !sent.includes(entry));
        jars.set(device, [...kept, reply.bookmark].slice(-4));
      }
    }
    result.requests += 1;
    result.byStatus[reply.status] = (result.byStatus[reply.status] ?? 0) + 1;
    if (reply.status >= 500) result.serverErrors += 1;
    if (kind !== "read" && ok(reply.status)) result.succeeded[kind] += 1;
    else if (kind !== "read") {
      const refused = result.refused[kind];
      refused[reply.status] = (refused[reply.status] ?? 0) + 1;
    }
    return reply;
  };

  const seeds = rng(options.seed);
  const clients = Array.from({ length: options.clients }, (_, index) => {
    const random = rng(Math.floor(seeds.next() * 2 ** 32));
    const share =
      Math.floor(options.steps / options.clients) +
      (index < options.steps % options.clients ? 1 : 0);
    const steps = stepsFor(world, random, call, {
      tag: options.tag,
      sessionWindowMs: options.sessionWindowMs,
      staleAccepted: result.staleAccepted,
      readBacks,
      staleReads: result.staleReads,
    });
    return { random, share, steps };
  });
  world.moderator = await moderatorFor(http, options.tag, options.grantModerator);
  // The first people sign up together, a race of its own.
  await Promise.all(
    Array.from({ length: options.people }, (_, i) => clients[i % clients.length]?.steps.register()),
  );
  await Promise.all(
    clients.map(async ({ random, share, steps }) => {
      for (let i = 0; i < share; i++) {
        const name = choose(random.next());
        result.drawn[name] += 1;
        if (isRace(name)) result.races += 1;
        await steps[name]();
      }
    }),
  );
  return { ...result, people: world.people, readBacks: readBacks.count };
}

/** The run's moderator: registered, granted the role, and signed in again to carry it. */
async function moderatorFor(
  http: Http,
  tag: string,
  grant: (handle: string) => Promise<void>,
): Promise<Person> {
  const handle = `mod${tag}`;
  // The run's faults apply to the moderator's setup too: an injected outage of the users service
  // (a 503) is tried again, as a person would, since the run needs a moderator to measure anything.
  const untilServed = async (send: () => ReturnType<Http>) => {
    let reply = await send();
    for (let attempt = 1; attempt < 5 && reply.status === 503; attempt++) reply = await send();
    return reply;
  };
  await untilServed(() =>
    http("POST", "/v1/auth/register", undefined, {
      handle,
      email: `${handle}@example.com`,
      password: PASSWORD,
    }),
  );
  await grant(handle);
  const reply = await untilServed(() =>
    http("POST", "/v1/auth/login", undefined, { login: handle, password: PASSWORD }),
  );
  if (reply.status !== 200) throw new Error(`the moderator could not sign in: ${reply.status}`);
  return { handle, token: (reply.body as { token: string }).token };
}
