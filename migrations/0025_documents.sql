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
CREATE INDEX `documents_client_idx` ON `documents` (`client_id`);