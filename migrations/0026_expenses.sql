CREATE TABLE `expenses` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`spent_on` text NOT NULL,
	`vendor` text NOT NULL,
	`category` text NOT NULL,
	`file_id` text,
	`created_at` integer NOT NULL,
	`voided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `expenses_idempotency_key_unique` ON `expenses` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `expenses_spent_on_idx` ON `expenses` (`spent_on`);