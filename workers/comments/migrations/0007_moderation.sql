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
CREATE TABLE `suspended_users` (
	`id` text PRIMARY KEY NOT NULL,
	`suspended` integer NOT NULL,
	`event_id` text NOT NULL,
	`recorded_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `reports` ADD `counts` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `reports` ADD `resolved_at` text;--> statement-breakpoint
CREATE INDEX `reports_open` ON `reports` (`comment_id`) WHERE resolved_at IS NULL AND dismissed = 0;--> statement-breakpoint
-- What a suspended account may not do, enforced where each write lands, in its own transaction (as
-- for deleted accounts, migrations/0005): a comment or report that races the suspension past the
-- gateway is refused once this service has heard of it. Mapped to a 403 (packages/kit).
CREATE TRIGGER `comments_by_unsuspended` BEFORE INSERT ON `comments`
WHEN EXISTS (SELECT 1 FROM `suspended_users` WHERE `id` = NEW.`author_id` AND `suspended` = 1)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `reports_by_unsuspended` BEFORE INSERT ON `reports`
WHEN EXISTS (SELECT 1 FROM `suspended_users` WHERE `id` = NEW.`reporter_id` AND `suspended` = 1)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
