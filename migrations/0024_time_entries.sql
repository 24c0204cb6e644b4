CREATE TABLE `time_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`project_id` text,
	`description` text NOT NULL,
	`hours_centi` integer NOT NULL,
	`worked_on` text NOT NULL,
	`invoice_id` text,
	`idempotency_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `time_entries_idempotency_key_unique` ON `time_entries` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `time_entries_client_day_idx` ON `time_entries` (`client_id`,`worked_on`);--> statement-breakpoint
CREATE INDEX `time_entries_invoice_idx` ON `time_entries` (`invoice_id`);