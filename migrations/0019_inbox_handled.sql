ALTER TABLE `inbox` ADD `handled_at` integer;--> statement-breakpoint
UPDATE `inbox` SET `handled_at` = `received_at`;
