CREATE TABLE `deleted_posts` (
	`post_id` text PRIMARY KEY NOT NULL
);
