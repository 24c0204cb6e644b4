CREATE TABLE `invoice_payment_links` (
	`invoice_id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`provider` text NOT NULL,
	`price_id` text NOT NULL,
	`link_id` text NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL,
	`deactivated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoice_payment_links_number_unique` ON `invoice_payment_links` (`number`);