-- Numbers the comments written before comments had numbers, oldest first, and starts the counter
-- after the last of them; the unique index on the numbers comes in the next migration.
UPDATE `comments` SET `number` = `numbered`.`n`
  FROM (SELECT `id`, row_number() OVER (ORDER BY `id`) AS `n` FROM `comments`) AS `numbered`
  WHERE `numbered`.`id` = `comments`.`id`;
--> statement-breakpoint
INSERT INTO `sequences` (`name`, `value`)
  SELECT 'comment_number', coalesce(max(`number`), 0) FROM `comments`;
