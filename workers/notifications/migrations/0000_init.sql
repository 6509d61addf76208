CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`recipient_id` text NOT NULL,
	`type` text NOT NULL,
	`actor_id` text NOT NULL,
	`post_id` text,
	`comment_id` text,
	`event_id` text NOT NULL,
	`read_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_once_per_event` ON `notifications` (`event_id`,`recipient_id`);--> statement-breakpoint
CREATE INDEX `notifications_by_recipient` ON `notifications` (`recipient_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_unread` ON `notifications` (`recipient_id`,`id`,`read_at`) WHERE read_at IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_by_post` ON `notifications` (`post_id`) WHERE post_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_by_comment` ON `notifications` (`comment_id`) WHERE comment_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_by_actor` ON `notifications` (`actor_id`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
