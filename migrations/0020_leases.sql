ALTER TABLE `actions` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `lease_until` integer;--> statement-breakpoint
ALTER TABLE `scheduled_jobs` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `scheduled_jobs` ADD `lease_until` integer;--> statement-breakpoint
ALTER TABLE `scheduled_jobs` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `scheduled_jobs` ADD `retry_at` integer;