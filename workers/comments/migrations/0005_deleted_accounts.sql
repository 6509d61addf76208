CREATE TABLE `deleted_users` (
	`id` text PRIMARY KEY NOT NULL,
	`deleted_at` text NOT NULL
);
--> statement-breakpoint
-- What a deleted account may no longer do, enforced where every write lands, in its own transaction:
-- a comment or report that races the account's deletion (its token lives on for a while) is refused.
-- A check in code would be a read and a write that the deletion can fall between. The service maps
-- the 'flock_refused:account_deleted' abort to a 401 (packages/kit/src/errors.ts).
CREATE TRIGGER `comments_by_live_authors` BEFORE INSERT ON `comments`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`author_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `reports_by_live_reporters` BEFORE INSERT ON `reports`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`reporter_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_deleted');
END;
