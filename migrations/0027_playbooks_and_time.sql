CREATE TABLE `playbook_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`playbook_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`inputs` text NOT NULL,
	`title` text NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	`message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `playbook_runs_subject_unique` ON `playbook_runs` (`playbook_id`,`subject_id`);--> statement-breakpoint
CREATE INDEX `playbook_runs_state_idx` ON `playbook_runs` (`state`);--> statement-breakpoint
CREATE TABLE `playbooks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`trigger` text NOT NULL,
	`steps` text NOT NULL,
	`compensate_on_failure` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `playbooks_idempotency_key_unique` ON `playbooks` (`idempotency_key`);--> statement-breakpoint
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