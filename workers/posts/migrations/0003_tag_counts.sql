-- Each tag's post count follows its post_tags rows in the same transaction, as the like and share
-- counts do (0001_counters.sql): a post tagged, retagged or deleted moves the count with it, and a
-- tag no post carries any more leaves the table.
CREATE TRIGGER `tags_count_insert` AFTER INSERT ON `post_tags`
BEGIN
  INSERT OR IGNORE INTO `tags` (`tag`, `post_count`, `last_post_id`) VALUES (NEW.`tag`, 0, NEW.`post_id`);
  UPDATE `tags` SET `post_count` = `post_count` + 1, `last_post_id` = max(`last_post_id`, NEW.`post_id`)
    WHERE `tag` = NEW.`tag`;
END;
--> statement-breakpoint
CREATE TRIGGER `tags_count_delete` AFTER DELETE ON `post_tags`
BEGIN
  UPDATE `tags` SET `post_count` = `post_count` - 1 WHERE `tag` = OLD.`tag`;
  DELETE FROM `tags` WHERE `tag` = OLD.`tag` AND `post_count` <= 0;
END;
--> statement-breakpoint
-- Tags already in use when this migration runs.
INSERT INTO `tags` (`tag`, `post_count`, `last_post_id`)
  SELECT `tag`, count(*), max(`post_id`) FROM `post_tags` GROUP BY `tag`;
