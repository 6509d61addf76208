CREATE TABLE `unlikes` (
	`user_id` text NOT NULL,
	`post_id` text NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `post_id`)
);
