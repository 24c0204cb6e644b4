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
CREATE UNIQUE INDEX `playbooks_idempotency_key_unique` ON `playbooks` (`idempotency_key`);