CREATE TABLE `rule_fires` (
	`idempotency_key` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rule_fires_rule_idx` ON `rule_fires` (`rule_id`,`at`);--> statement-breakpoint
CREATE TABLE `standing_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`operation` text NOT NULL,
	`description` text NOT NULL,
	`conditions` text NOT NULL,
	`max_amount_minor` integer,
	`currency` text,
	`per_day` integer,
	`expires_at` integer,
	`covers_irreversible` integer NOT NULL,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`created_by_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `standing_rules_created_by_key_unique` ON `standing_rules` (`created_by_key`);--> statement-breakpoint
CREATE INDEX `standing_rules_op_idx` ON `standing_rules` (`operation`,`status`);--> statement-breakpoint
CREATE TABLE `action_edits` (
	`action_id` text PRIMARY KEY NOT NULL,
	`replaced_by_key` text NOT NULL,
	`by` text NOT NULL,
	`instruction` text NOT NULL,
	`original` text NOT NULL,
	`edited` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `approval_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`action_ids` text NOT NULL,
	`summary` text NOT NULL,
	`created_at` integer NOT NULL
);
