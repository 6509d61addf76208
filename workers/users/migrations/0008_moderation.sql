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
ALTER TABLE `users` ADD `role` text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `suspended_at` text;--> statement-breakpoint
-- What a suspended account may no longer do here, enforced where each write lands, in the write's own
-- transaction: a follow, a friend request or a profile change that races the suspension past the
-- gateway is refused all the same. The service maps the abort to a 403 (packages/kit/src/errors.ts).
CREATE TRIGGER `follows_by_unsuspended` BEFORE INSERT ON `follows`
WHEN (SELECT `suspended_at` FROM `users` WHERE `id` = NEW.`follower_id`) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `friend_requests_by_unsuspended` BEFORE INSERT ON `friend_requests`
WHEN (SELECT `suspended_at` FROM `users` WHERE `id` = NEW.`from_id`) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
--> statement-breakpoint
CREATE TRIGGER `profiles_of_unsuspended` BEFORE UPDATE OF `handle`, `display_name`, `bio`, `avatar_url` ON `users`
WHEN OLD.`suspended_at` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:account_suspended');
END;
