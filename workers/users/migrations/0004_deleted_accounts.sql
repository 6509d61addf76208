-- What a deleted account leaves in this service: its follows, friend requests and friendships go by
-- foreign key (ON DELETE CASCADE), which also refuses any of them written after the account is
-- gone. The posts it wrote are known only from events, so they go here, and an event about one of
-- its posts that arrives later (post.created, post.deleted) records nothing.
CREATE TRIGGER `authored_posts_go_with_author` AFTER DELETE ON `users`
BEGIN
  DELETE FROM `authored_posts` WHERE `author_id` = OLD.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `authored_posts_by_live_authors` BEFORE INSERT ON `authored_posts`
WHEN NOT EXISTS (SELECT 1 FROM `users` WHERE `id` = NEW.`author_id`)
BEGIN
  SELECT RAISE(IGNORE);
END;
