CREATE TABLE `turn_leases` (
	`owner` text PRIMARY KEY NOT NULL,
	`lease_until` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `inbox` ADD `owner` text;