-- Written by hand (`drizzle-kit generate --custom --name fts`): drizzle's schema cannot declare
-- virtual tables. Two FTS5 indexes over the tables of 0000, as external content tables kept by
-- triggers in the same transaction as every write, so an index never drifts from its rows.
-- unicode61 with remove_diacritics 2 folds case and accents ("Café" matches "cafe").
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
  `title`, `body`, `tags`,
  content = 'indexed_posts', content_rowid = 'doc_id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
--> statement-breakpoint
CREATE TRIGGER `indexed_posts_insert` AFTER INSERT ON `indexed_posts`
BEGIN
  INSERT INTO `posts_fts` (rowid, `title`, `body`, `tags`) VALUES (NEW.`doc_id`, NEW.`title`, NEW.`body`, NEW.`tags`);
  INSERT INTO `post_tags` (`tag`, `post_id`) SELECT DISTINCT value, NEW.`post_id` FROM json_each(NEW.`tag_list`)
    WHERE NOT EXISTS (SELECT 1 FROM `post_tags` WHERE `tag` = value AND `post_id` = NEW.`post_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `indexed_posts_delete` AFTER DELETE ON `indexed_posts`
BEGIN
  INSERT INTO `posts_fts` (`posts_fts`, rowid, `title`, `body`, `tags`) VALUES ('delete', OLD.`doc_id`, OLD.`title`, OLD.`body`, OLD.`tags`);
  DELETE FROM `post_tags` WHERE `post_id` = OLD.`post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `indexed_posts_update` AFTER UPDATE ON `indexed_posts`
BEGIN
  INSERT INTO `posts_fts` (`posts_fts`, rowid, `title`, `body`, `tags`) VALUES ('delete', OLD.`doc_id`, OLD.`title`, OLD.`body`, OLD.`tags`);
  INSERT INTO `posts_fts` (rowid, `title`, `body`, `tags`) VALUES (NEW.`doc_id`, NEW.`title`, NEW.`body`, NEW.`tags`);
  DELETE FROM `post_tags` WHERE `post_id` = OLD.`post_id` AND `tag` NOT IN (SELECT value FROM json_each(NEW.`tag_list`));
  INSERT INTO `post_tags` (`tag`, `post_id`) SELECT DISTINCT value, NEW.`post_id` FROM json_each(NEW.`tag_list`)
    WHERE NOT EXISTS (SELECT 1 FROM `post_tags` WHERE `tag` = value AND `post_id` = NEW.`post_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_insert` AFTER INSERT ON `post_tags`
BEGIN
  INSERT INTO `tag_counts` (`tag`, `post_count`) VALUES (NEW.`tag`, 1)
    ON CONFLICT (`tag`) DO UPDATE SET `post_count` = `post_count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_delete` AFTER DELETE ON `post_tags`
BEGIN
  UPDATE `tag_counts` SET `post_count` = `post_count` - 1 WHERE `tag` = OLD.`tag`;
  DELETE FROM `tag_counts` WHERE `tag` = OLD.`tag` AND `post_count` <= 0;
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE `users_fts` USING fts5(
  `handle`, `display_name`,
  content = 'indexed_users', content_rowid = 'doc_id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
--> statement-breakpoint
CREATE TRIGGER `indexed_users_insert` AFTER INSERT ON `indexed_users`
BEGIN
  INSERT INTO `users_fts` (rowid, `handle`, `display_name`) VALUES (NEW.`doc_id`, NEW.`handle`, NEW.`display_name`);
END;
--> statement-breakpoint
CREATE TRIGGER `indexed_users_delete` AFTER DELETE ON `indexed_users`
BEGIN
  INSERT INTO `users_fts` (`users_fts`, rowid, `handle`, `display_name`) VALUES ('delete', OLD.`doc_id`, OLD.`handle`, OLD.`display_name`);
END;
--> statement-breakpoint
CREATE TRIGGER `indexed_users_update` AFTER UPDATE ON `indexed_users`
BEGIN
  INSERT INTO `users_fts` (`users_fts`, rowid, `handle`, `display_name`) VALUES ('delete', OLD.`doc_id`, OLD.`handle`, OLD.`display_name`);
  INSERT INTO `users_fts` (rowid, `handle`, `display_name`) VALUES (NEW.`doc_id`, NEW.`handle`, NEW.`display_name`);
END;
