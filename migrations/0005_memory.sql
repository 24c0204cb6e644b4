CREATE TABLE `client_aliases` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_aliases_idempotency_key_unique` ON `client_aliases` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `client_aliases_kind_value_unique` ON `client_aliases` (`kind`,`value`);--> statement-breakpoint
CREATE INDEX `client_aliases_client_idx` ON `client_aliases` (`client_id`);--> statement-breakpoint
CREATE TABLE `memory_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`source_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `memory_docs` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` text NOT NULL,
	`kind` text NOT NULL,
	`client_id` text,
	`text` text NOT NULL,
	`hash` text NOT NULL,
	`embedder` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memory_docs_source_id_unique` ON `memory_docs` (`source_id`);--> statement-breakpoint
CREATE INDEX `memory_docs_kind_idx` ON `memory_docs` (`kind`);--> statement-breakpoint
CREATE INDEX `memory_docs_client_idx` ON `memory_docs` (`client_id`);--> statement-breakpoint
CREATE INDEX `memory_docs_embedder_idx` ON `memory_docs` (`embedder`);--> statement-breakpoint
CREATE TABLE `memory_summaries` (
	`id` text PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`text` text NOT NULL,
	`messages` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `memory_summaries_thread_idx` ON `memory_summaries` (`thread_id`);--> statement-breakpoint
ALTER TABLE `proposals` ADD `decided_at` integer;