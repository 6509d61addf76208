-- Like and share counts change with the rows they count, in the same transaction, so they never drift:
-- a duplicate like inserts nothing and fires nothing; deleting a share lowers its original's count.
CREATE TRIGGER `likes_count_insert` AFTER INSERT ON `likes`
BEGIN
  UPDATE `posts` SET `like_count` = `like_count` + 1 WHERE `id` = NEW.`post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `likes_count_delete` AFTER DELETE ON `likes`
BEGIN
  UPDATE `posts` SET `like_count` = `like_count` - 1 WHERE `id` = OLD.`post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `shares_count_insert` AFTER INSERT ON `posts` WHEN NEW.`shared_post_id` IS NOT NULL
BEGIN
  UPDATE `posts` SET `share_count` = `share_count` + 1 WHERE `id` = NEW.`shared_post_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `shares_count_delete` AFTER DELETE ON `posts` WHEN OLD.`shared_post_id` IS NOT NULL
BEGIN
  UPDATE `posts` SET `share_count` = `share_count` - 1 WHERE `id` = OLD.`shared_post_id`;
END;
