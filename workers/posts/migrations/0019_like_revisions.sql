CREATE TABLE `like_revisions` (
	`post_id` text NOT NULL,
	`user_id` text NOT NULL,
	`revision` integer NOT NULL,
	PRIMARY KEY(`post_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `like_revisions_by_user` ON `like_revisions` (`user_id`);