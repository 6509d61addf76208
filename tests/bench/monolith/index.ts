// The same domain code as the mesh, composed into one worker: each service's WorkerEntrypoint is
// constructed in-process and handed to the others (and to the gateway) as a plain object, so a
// request makes direct function calls where the mesh makes RPC calls over service bindings.

import comments from "../../../workers/comments/src/index";
import { CommentsService } from "../../../workers/comments/src/service";
import gateway from "../../../workers/gateway/src/index";
import media from "../../../workers/media/src/index";
import { MediaService } from "../../../workers/media/src/service";
import notifications from "../../../workers/notifications/src/index";
import { NotificationsService } from "../../../workers/notifications/src/service";
import posts from "../../../workers/posts/src/index";
import { PostsService } from "../../../workers/posts/src/service";
import search from "../../../workers/search/src/index";
import { SearchService } from "../../../workers/search/src/service";
import users from "../../../workers/users/src/index";
import { UsersService } from "../../../workers/users/src/service";

type Env = {
  JWT_SECRET: string;
  CORS_ORIGINS: string;
  CELEBRITY_FOLLOWERS: string;
  RPC_DEADLINE_MS: string;
  LOCAL_RUN: string;
  AUTH_LIMITER: RateLimit;
  SIGN_IN_LIMITER: RateLimit;
  WRITE_LIMITER: RateLimit;
  USERS_DB: D1Database;
  POSTS_DB: D1Database;
  COMMENTS_DB: D1Database;
  NOTIFICATIONS_DB: D1Database;
  MEDIA_DB: D1Database;
  MEDIA_BUCKET: R2Bucket;
  MEDIA_INBOX: Queue;
  SEARCH_DB: D1Database;
  USERS_INBOX: Queue;
  POSTS_INBOX: Queue;
  COMMENTS_INBOX: Queue;
  NOTIFICATIONS_INBOX: Queue;
  SEARCH_INBOX: Queue;
  SEND_EMAIL: SendEmail;
  MAIL_FROM: string;
  APP_URL: string;
};

/** Each service's own env, as its wrangler.toml would give it, with its neighbours as plain objects. */
function compose(env: Env, ctx: ExecutionContext) {
  const inboxes = {
    USERS_INBOX: env.USERS_INBOX,
    POSTS_INBOX: env.POSTS_INBOX,
    COMMENTS_INBOX: env.COMMENTS_INBOX,
    NOTIFICATIONS_INBOX: env.NOTIFICATIONS_INBOX,
    MEDIA_INBOX: env.MEDIA_INBOX,
    SEARCH_INBOX: env.SEARCH_INBOX,
  };
  const usersEnv = {
    DB: env.USERS_DB,
    ...inboxes,
    SEND_EMAIL: env.SEND_EMAIL,
    MAIL_FROM: env.MAIL_FROM,
    APP_URL: env.APP_URL,
  };
  const usersService = new UsersService(ctx, usersEnv);
  // The services type their neighbours as service bindings; in one worker they are the objects themselves.
  const asBinding = <T>(service: T) => service as unknown as Service & T;
  const mediaEnv = { DB: env.MEDIA_DB, BUCKET: env.MEDIA_BUCKET, MEDIA_INBOX: env.MEDIA_INBOX };
  const mediaService = new MediaService(ctx, mediaEnv);
  const postsEnv = {
    DB: env.POSTS_DB,
    USERS: asBinding(usersService),
    MEDIA: asBinding(mediaService),
    CELEBRITY_FOLLOWERS: env.CELEBRITY_FOLLOWERS,
    ...inboxes,
  };
  const postsService = new PostsService(ctx, postsEnv);
  const commentsEnv = { DB: env.COMMENTS_DB, POSTS: asBinding(postsService), ...inboxes };
  const notificationsEnv = {
    DB: env.NOTIFICATIONS_DB,
    USERS: asBinding(usersService),
    NOTIFICATIONS_INBOX: env.NOTIFICATIONS_INBOX,
  };
  const searchEnv = {
    DB: env.SEARCH_DB,
    POSTS: asBinding(postsService),
    SEARCH_INBOX: env.SEARCH_INBOX,
  };
  return {
    envs: {
      users: usersEnv,
      posts: postsEnv,
      comments: commentsEnv,
      notifications: notificationsEnv,
      media: mediaEnv,
      search: searchEnv,
    },
    gatewayEnv: {
      JWT_SECRET: env.JWT_SECRET,
      CORS_ORIGINS: env.CORS_ORIGINS,
      RPC_DEADLINE_MS: env.RPC_DEADLINE_MS,
      LOCAL_RUN: env.LOCAL_RUN,
      AUTH_LIMITER: env.AUTH_LIMITER,
      SIGN_IN_LIMITER: env.SIGN_IN_LIMITER,
      WRITE_LIMITER: env.WRITE_LIMITER,
      USERS: asBinding(usersService),
      POSTS: asBinding(postsService),
      COMMENTS: asBinding(new CommentsService(ctx, commentsEnv)),
      NOTIFICATIONS: asBinding(new NotificationsService(ctx, notificationsEnv)),
      MEDIA: asBinding(mediaService),
      SEARCH: asBinding(new SearchService(ctx, searchEnv)),
    },
  };
}

export default {
  fetch(request, env, ctx) {
    return gateway.fetch(request, compose(env, ctx).gatewayEnv, ctx);
  },
  async queue(batch, env, ctx) {
    const { envs } = compose(env, ctx);
    switch (batch.queue) {
      case "monolith-users-inbox":
        return users.queue(batch, envs.users, ctx);
      case "monolith-posts-inbox":
        return posts.queue(batch, envs.posts, ctx);
      case "monolith-comments-inbox":
        return comments.queue(batch, envs.comments, ctx);
      case "monolith-notifications-inbox":
        return notifications.queue(batch, envs.notifications, ctx);
      case "monolith-media-inbox":
        return media.queue(batch, envs.media, ctx);
      case "monolith-search-inbox":
        return search.queue(batch, envs.search, ctx);
    }
  },
} satisfies ExportedHandler<Env>;
