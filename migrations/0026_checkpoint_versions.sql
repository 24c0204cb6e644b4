ALTER TABLE `checkpoints` ADD `channel_versions` text;--> statement-breakpoint
ALTER TABLE `checkpoints` ADD `source` text;