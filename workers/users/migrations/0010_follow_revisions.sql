CREATE TABLE `follow_revisions` (
	`follower_id` text NOT NULL,
	`followee_id` text NOT NULL,
	`revision` integer NOT NULL,
	PRIMARY KEY(`follower_id`, `followee_id`),
	FOREIGN KEY (`follower_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`followee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `follow_revisions_by_followee` ON `follow_revisions` (`followee_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `revision` integer DEFAULT 0 NOT NULL;