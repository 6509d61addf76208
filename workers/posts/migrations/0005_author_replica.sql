CREATE TABLE `authors` (
	`id` text PRIMARY KEY NOT NULL,
	`handle` text NOT NULL,
	`display_name` text NOT NULL,
	`avatar_url` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `authors_by_handle` ON `authors` (`handle`);--> statement-breakpoint
CREATE TABLE `celebrities` (
	`author_id` text PRIMARY KEY NOT NULL,
	`since` text NOT NULL
);
