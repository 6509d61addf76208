CREATE TABLE `like_states` (
	`user_id` text NOT NULL,
	`post_id` text NOT NULL,
	`liked` integer NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `post_id`)
);
--> statement-breakpoint
-- The unlikes recorded so far are the newest word on their likes, ordered by event id (revision 0).
INSERT INTO `like_states` (`user_id`, `post_id`, `liked`, `revision`, `event_id`)
SELECT `user_id`, `post_id`, 0, 0, `event_id` FROM `unlikes`;
--> statement-breakpoint
DROP TABLE `unlikes`;