CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`stored_at` integer,
	`attached_kind` text,
	`attached_to` text,
	`confirmed_at` integer,
	`deleting_at` integer
);
--> statement-breakpoint
CREATE INDEX `media_by_owner` ON `media` (`owner_id`);--> statement-breakpoint
CREATE INDEX `media_by_holder` ON `media` (`attached_kind`,`attached_to`);--> statement-breakpoint
CREATE INDEX `media_unconfirmed` ON `media` (`created_at`) WHERE confirmed_at IS NULL;--> statement-breakpoint
CREATE INDEX `media_deleting` ON `media` (`deleting_at`) WHERE deleting_at IS NOT NULL;