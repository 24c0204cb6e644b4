CREATE TABLE `scheduled_jobs` (
	`name` text PRIMARY KEY NOT NULL,
	`cron` text NOT NULL,
	`time_zone` text NOT NULL,
	`next_run_at` integer NOT NULL,
	`last_run_at` integer,
	`last_outcome` text,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `operator_notices` (
	`idempotency_key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`started_at` integer NOT NULL,
	`delivered_at` integer
);
