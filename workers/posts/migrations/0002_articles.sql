CREATE TABLE `tags` (
	`tag` text PRIMARY KEY NOT NULL,
	`post_count` integer DEFAULT 0 NOT NULL,
	`last_post_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tags_by_use` ON `tags` (`post_count`,`last_post_id`);--> statement-breakpoint
ALTER TABLE `posts` ADD `description` text;--> statement-breakpoint
CREATE INDEX `articles` ON `posts` (`id`) WHERE shared_post_id IS NULL;--> statement-breakpoint
CREATE INDEX `articles_by_author` ON `posts` (`author_id`,`id`) WHERE shared_post_id IS NULL;