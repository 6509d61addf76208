CREATE TABLE `authored_posts` (
	`post_id` text PRIMARY KEY NOT NULL,
	`author_id` text NOT NULL,
	`deleted` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `authored_posts_live` ON `authored_posts` (`author_id`,`deleted`);