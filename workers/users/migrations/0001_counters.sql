-- Follower and following counts change with the follows rows themselves, so they can never drift:
-- a duplicate follow inserts nothing and fires nothing; a cascade from a deleted account fires too.
CREATE TRIGGER `follows_count_insert` AFTER INSERT ON `follows`
BEGIN
  UPDATE `users` SET `follower_count` = `follower_count` + 1 WHERE `id` = NEW.`followee_id`;
  UPDATE `users` SET `following_count` = `following_count` + 1 WHERE `id` = NEW.`follower_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `follows_count_delete` AFTER DELETE ON `follows`
BEGIN
  UPDATE `users` SET `follower_count` = `follower_count` - 1 WHERE `id` = OLD.`followee_id`;
  UPDATE `users` SET `following_count` = `following_count` - 1 WHERE `id` = OLD.`follower_id`;
END;
