CREATE TABLE `relations` (
	`user_id` text NOT NULL,
	`other_id` text NOT NULL,
	`kind` text NOT NULL,
	`active` integer NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `other_id`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `relations_by_other` ON `relations` (`other_id`,`kind`,`user_id`);