ALTER TABLE `actions` ADD `turn` text;--> statement-breakpoint
CREATE INDEX `actions_turn_idx` ON `actions` (`turn`);