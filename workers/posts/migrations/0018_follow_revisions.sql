ALTER TABLE `authors` ADD `revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `follow_states` ADD `revision` integer DEFAULT 0 NOT NULL;