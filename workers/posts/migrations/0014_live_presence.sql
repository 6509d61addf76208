CREATE TABLE `live_presence` (
	`user_id` text PRIMARY KEY NOT NULL,
	`seen_at` text NOT NULL
);
