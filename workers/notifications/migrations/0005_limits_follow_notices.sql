CREATE TABLE `follow_notices` (
	`actor_id` text NOT NULL,
	`recipient_id` text NOT NULL,
	`event_id` text NOT NULL,
	`notified_at` text NOT NULL,
	PRIMARY KEY(`actor_id`, `recipient_id`)
);
