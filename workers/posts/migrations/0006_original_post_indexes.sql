DROP INDEX `articles`;--> statement-breakpoint
DROP INDEX `articles_by_author`;--> statement-breakpoint
CREATE INDEX `originals` ON `posts` (`id`) WHERE shared_post_id IS NULL;--> statement-breakpoint
CREATE INDEX `originals_by_author` ON `posts` (`author_id`,`id`) WHERE shared_post_id IS NULL;