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
-- Across a block, neither account can comment on the other's posts. The check sits where the row
-- lands, in the write's own transaction, so a comment racing the block event is refused as surely as
-- one made after it; kit maps 'flock_refused:blocked' to a 403.
CREATE TRIGGER `comments_not_blocked` BEFORE INSERT ON `comments`
WHEN EXISTS (
  SELECT 1 FROM `relations` r
  WHERE r.`kind` = 'block' AND r.`active` = 1
    AND ((r.`user_id` = NEW.`author_id` AND r.`other_id` = NEW.`post_author_id`)
      OR (r.`user_id` = NEW.`post_author_id` AND r.`other_id` = NEW.`author_id`))
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
