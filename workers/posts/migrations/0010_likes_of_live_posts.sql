-- A like is of a post that exists. A like whose post was read just before a deletion (by its author,
-- or with its author's account) would otherwise land after the deletion removed the post's likes
-- and stay for good, counted nowhere. The service maps the abort to a 404 (packages/kit/src/errors.ts).
CREATE TRIGGER `likes_of_live_posts` BEFORE INSERT ON `likes`
WHEN NOT EXISTS (SELECT 1 FROM `posts` WHERE `id` = NEW.`post_id`)
BEGIN
  SELECT RAISE(ABORT, 'flock_refused:post_deleted');
END;
