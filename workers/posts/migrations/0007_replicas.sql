CREATE TABLE `deleted_users` (
	`id` text PRIMARY KEY NOT NULL,
	`deleted_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `follow_states` (
	`follower_id` text NOT NULL,
	`followee_id` text NOT NULL,
	`following` integer NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`follower_id`, `followee_id`)
);
