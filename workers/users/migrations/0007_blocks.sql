CREATE TABLE `blocks` (
	`id` text NOT NULL,
	`blocker_id` text NOT NULL,
	`blocked_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`blocker_id`, `blocked_id`),
	FOREIGN KEY (`blocker_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocked_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_id_unique` ON `blocks` (`id`);--> statement-breakpoint
CREATE INDEX `blocks_by_blocker` ON `blocks` (`blocker_id`,`id`);--> statement-breakpoint
CREATE INDEX `blocks_by_blocked` ON `blocks` (`blocked_id`,`blocker_id`);--> statement-breakpoint
CREATE TABLE `mutes` (
	`id` text NOT NULL,
	`muter_id` text NOT NULL,
	`muted_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`muter_id`, `muted_id`),
	FOREIGN KEY (`muter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`muted_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mutes_id_unique` ON `mutes` (`id`);--> statement-breakpoint
CREATE INDEX `mutes_by_muter` ON `mutes` (`muter_id`,`id`);--> statement-breakpoint
-- While a block stands between two accounts, neither side can follow or befriend the other. The
-- check sits where the rows land, in the write's own transaction, so a follow or request racing the
-- block cannot slip in after it; kit maps 'flock_refused:blocked' to a 403.
CREATE TRIGGER `follows_not_blocked` BEFORE INSERT ON `follows`
WHEN EXISTS (
  SELECT 1 FROM `blocks`
  WHERE (`blocker_id` = NEW.`follower_id` AND `blocked_id` = NEW.`followee_id`)
     OR (`blocker_id` = NEW.`followee_id` AND `blocked_id` = NEW.`follower_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
--> statement-breakpoint
CREATE TRIGGER `friend_requests_not_blocked` BEFORE INSERT ON `friend_requests`
WHEN EXISTS (
  SELECT 1 FROM `blocks`
  WHERE (`blocker_id` = NEW.`from_id` AND `blocked_id` = NEW.`to_id`)
     OR (`blocker_id` = NEW.`to_id` AND `blocked_id` = NEW.`from_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
--> statement-breakpoint
CREATE TRIGGER `friendships_not_blocked` BEFORE INSERT ON `friendships`
WHEN EXISTS (
  SELECT 1 FROM `blocks`
  WHERE (`blocker_id` = NEW.`user_id` AND `blocked_id` = NEW.`friend_id`)
     OR (`blocker_id` = NEW.`friend_id` AND `blocked_id` = NEW.`user_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:blocked');
END;
