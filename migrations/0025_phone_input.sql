CREATE TABLE `voice_transcripts` (
	`transport` text NOT NULL,
	`file_id` text NOT NULL,
	`text` text NOT NULL,
	`model` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`transport`, `file_id`)
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`file_id` text NOT NULL,
	`client_id` text NOT NULL,
	`label` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`created_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_idempotency_key_unique` ON `documents` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `documents_client_idx` ON `documents` (`client_id`);--> statement-breakpoint
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