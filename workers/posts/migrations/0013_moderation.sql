CREATE TABLE `moderation_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`moderator_id` text,
	`action` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`reason` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `moderation_audit_by_target` ON `moderation_audit` (`target_id`);--> statement-breakpoint
CREATE TABLE `reports` (
	`post_id` text NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`counts` integer NOT NULL,
	`created_at` text NOT NULL,
	`resolved_at` text,
	PRIMARY KEY(`post_id`, `reporter_id`)
);
--> statement-breakpoint
CREATE INDEX `reports_by_reporter` ON `reports` (`reporter_id`);--> statement-breakpoint
CREATE INDEX `reports_open` ON `reports` (`post_id`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `suspended_users` (
	`id` text PRIMARY KEY NOT NULL,
	`suspended` integer NOT NULL,
	`event_id` text NOT NULL,
	`recorded_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `posts` ADD `status` text DEFAULT 'visible' NOT NULL;--> statement-breakpoint
-- What a suspended account may not do, enforced where each write lands, in its own transaction (as
-- for deleted accounts, migrations/0008): a post, share, like or report that races the suspension
-- past the gateway is refused once this service has heard of it. Mapped to a 403 (packages/kit).
CREATE TRIGGER `posts_by_unsuspended` BEFORE INSERT ON `posts`
WHEN EXISTS (SELECT 1 FROM `suspended_users` WHERE `id` = NEW.`author_id` AND `suspended` = 1)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `likes_by_unsuspended` BEFORE INSERT ON `likes`
WHEN EXISTS (SELECT 1 FROM `suspended_users` WHERE `id` = NEW.`user_id` AND `suspended` = 1)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `reports_by_unsuspended` BEFORE INSERT ON `reports`
WHEN EXISTS (SELECT 1 FROM `suspended_users` WHERE `id` = NEW.`reporter_id` AND `suspended` = 1)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `reports_by_live_reporters` BEFORE INSERT ON `reports`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` = NEW.`reporter_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_deleted');
END;
