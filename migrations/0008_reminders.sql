CREATE TABLE `reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`client_id` text,
	`text` text NOT NULL,
	`due_at` integer NOT NULL,
	`status` text NOT NULL,
	`fired_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_idempotency_key_unique` ON `reminders` (`idempotency_key`);