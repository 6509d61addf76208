-- A follow state is for two live accounts, as a timeline row is (0008): a user.followed or
-- user.unfollowed delivered after the user.deleted of either account records nothing. Each write's
-- relay sends its own events, so a follow that raced the deletion may arrive after it.
CREATE TRIGGER `follow_states_of_live_users` BEFORE INSERT ON `follow_states`
WHEN EXISTS (SELECT 1 FROM `deleted_users` WHERE `id` IN (NEW.`follower_id`, NEW.`followee_id`))
BEGIN
  SELECT RAISE(IGNORE);
END;
