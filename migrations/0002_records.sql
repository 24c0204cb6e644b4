CREATE TABLE `inbox` (
	`transport` text NOT NULL,
	`event_id` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`transport`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`contact_name` text,
	`email` text,
	`notes` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_name_unique` ON `clients` (`name`);--> statement-breakpoint
CREATE TABLE `invoice_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`client_id` text NOT NULL,
	`description` text NOT NULL,
	`hours_centi` integer NOT NULL,
	`rate_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`total_minor` integer NOT NULL,
	`status` text NOT NULL,
	`issued_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`paid_at` integer,
	`idempotency_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_unique` ON `invoices` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_idempotency_key_unique` ON `invoices` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_year_seq_unique` ON `invoices` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `invoices_client_idx` ON `invoices` (`client_id`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`title` text NOT NULL,
	`starts_at` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`status` text NOT NULL,
	`idempotency_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meetings_idempotency_key_unique` ON `meetings` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `notes` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text,
	`kind` text DEFAULT 'note' NOT NULL,
	`text` text NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notes_idempotency_key_unique` ON `notes` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `notes_client_idx` ON `notes` (`client_id`);--> statement-breakpoint
CREATE TABLE `proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`title` text NOT NULL,
	`scope` text,
	`hours_centi` integer,
	`rate_minor` integer,
	`currency` text NOT NULL,
	`total_minor` integer,
	`status` text NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `proposals_idempotency_key_unique` ON `proposals` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `transcript` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`thread_id` text NOT NULL,
	`direction` text NOT NULL,
	`transport` text NOT NULL,
	`body` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transcript_thread_idx` ON `transcript` (`thread_id`,`id`);--> statement-breakpoint
CREATE TABLE `outbox_emails` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`client_id` text,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`correction_of` text,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_emails_message_id_unique` ON `outbox_emails` (`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_emails_idempotency_key_unique` ON `outbox_emails` (`idempotency_key`);