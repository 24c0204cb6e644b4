CREATE TABLE `business_profile` (
	`id` text PRIMARY KEY NOT NULL,
	`legal_name` text,
	`address_lines` text,
	`postcode` text,
	`city` text,
	`country` text,
	`vat_id` text,
	`iban` text,
	`bic` text,
	`payment_terms_days` integer,
	`small_business` integer,
	`vat_rate_percent` real,
	`sender_email` text,
	`time_zone` text,
	`idempotency_key` text,
	`previous` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`unit` text NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`net_minor` integer NOT NULL,
	`vat_category` text NOT NULL,
	`vat_rate_percent` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice_idx` ON `invoice_lines` (`invoice_id`,`position`);--> statement-breakpoint
ALTER TABLE `clients` ADD `billing_name` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `billing_address` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `billing_postcode` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `billing_city` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `billing_country` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `vat_id` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `einvoice_format` text DEFAULT 'facturx' NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `net_minor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `tax_minor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `service_start` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `service_end` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `notes` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `tax_rule` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `seller` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `buyer` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `payment` text;--> statement-breakpoint
ALTER TABLE `proposals` ADD `lines` text;--> statement-breakpoint
-- Invoices from before lines keep reading the same: their hours × rate becomes their one line, with no VAT (outside the scope, as they were issued), and their total is their net.
UPDATE `invoices` SET `net_minor` = `total_minor`;--> statement-breakpoint
INSERT INTO `invoice_lines` (`id`, `invoice_id`, `position`, `description`, `quantity_milli`, `unit`, `unit_price_minor`, `net_minor`, `vat_category`, `vat_rate_percent`)
SELECT `id` || ':1', `id`, 1, `description`, `hours_centi` * 10, 'hour', `rate_minor`, `total_minor`, 'O', 0 FROM `invoices`;
