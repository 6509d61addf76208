CREATE TABLE `counted_comments` (
	`comment_id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`visible` integer NOT NULL,
	`deleted` integer NOT NULL,
	`event_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `counted_comments_visible` ON `counted_comments` (`post_id`,`visible`,`deleted`);