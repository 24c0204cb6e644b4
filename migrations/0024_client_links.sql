CREATE TABLE `booking_claims` (
	`starts_at` integer PRIMARY KEY NOT NULL,
	`link_id` text NOT NULL,
	`action_key` text NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `client_link_keys` (
	`name` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `client_links` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`client_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`paused_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_links_token_unique` ON `client_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `client_links_subject_idx` ON `client_links` (`kind`,`subject`);--> statement-breakpoint
CREATE INDEX `client_links_client_idx` ON `client_links` (`client_id`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`received_at` integer NOT NULL,
	`handled_at` integer
);
