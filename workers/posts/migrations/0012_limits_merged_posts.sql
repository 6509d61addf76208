CREATE TABLE `merged_posts` (
	`post_id` text PRIMARY KEY NOT NULL,
	`author_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `merged_posts_by_author` ON `merged_posts` (`author_id`);--> statement-breakpoint
-- Until now every post of a celebrity was merged at read time, those fanned out before it became
-- one as well: they all stay merged, so no reader loses a post the feed showed them.
INSERT INTO `merged_posts` (`post_id`, `author_id`)
SELECT `id`, `author_id` FROM `posts` WHERE `author_id` IN (SELECT `author_id` FROM `celebrities`);
