CREATE TABLE `relations` (
	`user_id` text NOT NULL,
	`other_id` text NOT NULL,
	`kind` text NOT NULL,
	`active` integer NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `other_id`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `relations_by_other` ON `relations` (`other_id`,`kind`,`user_id`);--> statement-breakpoint
-- Across a block, neither account can like or share the other's posts. The check sits where the row
-- lands, in the write's own transaction, so a like racing the block event is refused as surely as
-- one made after it; kit maps 'flock_refused:blocked' to a 403.
CREATE TRIGGER `likes_not_blocked` BEFORE INSERT ON `likes`
WHEN EXISTS (
  SELECT 1 FROM `relations` r, `posts` p
  WHERE p.`id` = NEW.`post_id` AND r.`kind` = 'block' AND r.`active` = 1
    AND ((r.`user_id` = NEW.`user_id` AND r.`other_id` = p.`author_id`)
      OR (r.`user_id` = p.`author_id` AND r.`other_id` = NEW.`user_id`))
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
--> statement-breakpoint
CREATE TRIGGER `shares_not_blocked` BEFORE INSERT ON `posts`
WHEN NEW.`shared_post_id` IS NOT NULL AND EXISTS (
  SELECT 1 FROM `relations` r, `posts` p
  WHERE p.`id` = NEW.`shared_post_id` AND r.`kind` = 'block' AND r.`active` = 1
    AND ((r.`user_id` = NEW.`author_id` AND r.`other_id` = p.`author_id`)
      OR (r.`user_id` = p.`author_id` AND r.`other_id` = NEW.`author_id`))
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
