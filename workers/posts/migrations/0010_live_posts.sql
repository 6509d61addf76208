-- Nothing may hang off a post that is gone. A like, a share, a tag or a timeline row written by a
-- request or event that read the post just before a racing deletion committed is refused (or, for a
-- fan-out, dropped) in its own transaction; kit maps 'flock_refused:post_deleted' to a 404.
CREATE TRIGGER `likes_of_live_posts` BEFORE INSERT ON `likes`
WHEN NOT EXISTS (SELECT 1 FROM `posts` WHERE `id` = NEW.`post_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:post_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `shares_of_live_posts` BEFORE INSERT ON `posts`
WHEN NEW.`shared_post_id` IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM `posts` WHERE `id` = NEW.`shared_post_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:post_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `tags_of_live_posts` BEFORE INSERT ON `post_tags`
WHEN NOT EXISTS (SELECT 1 FROM `posts` WHERE `id` = NEW.`post_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:post_deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `timeline_entries_of_live_posts` BEFORE INSERT ON `timeline_entries`
WHEN NOT EXISTS (SELECT 1 FROM `posts` WHERE `id` = NEW.`post_id`)
BEGIN
  SELECT RAISE(IGNORE);
END;
