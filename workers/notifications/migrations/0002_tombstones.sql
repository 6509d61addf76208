CREATE TABLE `tombstones` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`deleted_at` text NOT NULL
);
