CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`sha256` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `files_idempotency_key_unique` ON `files` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `files_sha256_idx` ON `files` (`sha256`);--> statement-breakpoint
CREATE TABLE `credit_note_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`invoice_id` text NOT NULL,
	`invoice_number` text NOT NULL,
	`client_id` text NOT NULL,
	`total_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`issued_at` integer NOT NULL,
	`idempotency_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_number_unique` ON `credit_notes` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_invoice_id_unique` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_idempotency_key_unique` ON `credit_notes` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_year_seq_unique` ON `credit_notes` (`year`,`seq`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`idempotency_key` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`response_status` integer,
	`error` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `outbox_emails` ADD `status` text DEFAULT 'sent' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox_emails` ADD `via` text DEFAULT 'outbox' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox_emails` ADD `attachments` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox_emails` ADD `eml_file` text;--> statement-breakpoint
ALTER TABLE `outbox_emails` ADD `error` text;