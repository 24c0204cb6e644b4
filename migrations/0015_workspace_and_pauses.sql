CREATE TABLE `agent_pauses` (
	`agent` text PRIMARY KEY NOT NULL,
	`paused_by` text NOT NULL,
	`paused_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workspace_keys` (
	`name` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workspace_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`operator` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workspace_sessions_expiry_idx` ON `workspace_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `workspace_used_links` (
	`link_id` text PRIMARY KEY NOT NULL,
	`operator` text NOT NULL,
	`used_at` integer NOT NULL
);
