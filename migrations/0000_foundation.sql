CREATE TABLE `actions` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`operation` text NOT NULL,
	`input` text NOT NULL,
	`input_hash` text NOT NULL,
	`agent` text NOT NULL,
	`reason` text NOT NULL,
	`evidence` text NOT NULL,
	`thread_id` text,
	`state` text NOT NULL,
	`requires_approval` integer NOT NULL,
	`card_ref` text,
	`expires_at` integer,
	`decided_by` text,
	`decided_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`result` text,
	`error` text,
	`compensates` text,
	`compensated_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actions_idempotency_key_unique` ON `actions` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `actions_card_ref_unique` ON `actions` (`card_ref`);--> statement-breakpoint
CREATE INDEX `actions_state_idx` ON `actions` (`state`);--> statement-breakpoint
CREATE INDEX `actions_thread_idx` ON `actions` (`thread_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`event` text NOT NULL,
	`action_id` text,
	`operation` text,
	`reason` text,
	`evidence` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_log` (`action_id`);--> statement-breakpoint
CREATE TABLE `checkpoint_writes` (
	`thread_id` text NOT NULL,
	`checkpoint_ns` text DEFAULT '' NOT NULL,
	`checkpoint_id` text NOT NULL,
	`task_id` text NOT NULL,
	`idx` integer NOT NULL,
	`channel` text NOT NULL,
	`type` text,
	`value` blob,
	PRIMARY KEY(`thread_id`, `checkpoint_ns`, `checkpoint_id`, `task_id`, `idx`)
);
--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`thread_id` text NOT NULL,
	`checkpoint_ns` text DEFAULT '' NOT NULL,
	`checkpoint_id` text NOT NULL,
	`parent_checkpoint_id` text,
	`type` text,
	`checkpoint` blob NOT NULL,
	`metadata` blob NOT NULL,
	PRIMARY KEY(`thread_id`, `checkpoint_ns`, `checkpoint_id`)
);
