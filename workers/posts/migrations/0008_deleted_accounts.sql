-- What a deleted account may no longer do, enforced where every write lands, in its own transaction:
-- a post or like that races the account's deletion (its token lives on for a while) is refused, and a
-- fan-out, backfill or profile event that arrives after the deletion adds nothing. The services map
-- the 'flock_refused:account_deleted' abort to a 401 (packages/kit/src/errors.ts).
CREATE TRIGGER `posts_by_live_authors` BEFORE INSERT ON `posts`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`author_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `likes_by_live_users` BEFORE INSERT ON `likes`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`user_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `authors_stay_deleted` BEFORE INSERT ON `authors`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(IGNORE);
END;
--> statement-breakpoint
-- A timeline row is for a live reader, of a live author the reader has not since unfollowed.
CREATE TRIGGER `timeline_entries_followed_and_live` BEFORE INSERT ON `timeline_entries`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` IN (NEW.`user_id`, NEW.`author_id`))
  OR EXISTS (
    SELECT 1 FROM `follow_states`
    WHERE `follower_id` = NEW.`user_id` AND `followee_id` = NEW.`author_id` AND `following` = 0
  )
BEGIN
  SELECT RAISE(IGNORE);
END;
