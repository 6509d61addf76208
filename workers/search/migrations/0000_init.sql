CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`error` text,
	`attempts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`replay_requested` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deleted_users` (
	`user_id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE `inbox_failures` (
	`key` text PRIMARY KEY NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `indexed_posts` (
	`doc_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` text NOT NULL,
	`author_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tags` text NOT NULL,
	`tag_list` text NOT NULL,
	`created_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indexed_posts_post_id_unique` ON `indexed_posts` (`post_id`);--> statement-breakpoint
CREATE INDEX `indexed_posts_by_author` ON `indexed_posts` (`author_id`);--> statement-breakpoint
CREATE TABLE `indexed_users` (
	`doc_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`handle` text NOT NULL,
	`display_name` text NOT NULL,
	`avatar_url` text,
	`event_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indexed_users_user_id_unique` ON `indexed_users` (`user_id`);--> statement-breakpoint
CREATE TABLE `post_tags` (
	`tag` text NOT NULL,
	`post_id` text NOT NULL,
	PRIMARY KEY(`tag`, `post_id`)
);
--> statement-breakpoint
CREATE INDEX `post_tags_by_post` ON `post_tags` (`post_id`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE `tag_counts` (
	`tag` text PRIMARY KEY NOT NULL,
	`post_count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tag_counts_by_use` ON `tag_counts` (`post_count`);