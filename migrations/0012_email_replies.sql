CREATE TABLE `email_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`client_id` text NOT NULL,
	`from_address` text NOT NULL,
	`from_name` text,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`in_reply_to` text,
	`replies_to` text,
	`received_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`cancelled_reminders` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_replies_message_id_unique` ON `email_replies` (`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_replies_idempotency_key_unique` ON `email_replies` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `email_replies_client_idx` ON `email_replies` (`client_id`);--> statement-breakpoint
CREATE TABLE `mailbox_cursors` (
	`mailbox` text PRIMARY KEY NOT NULL,
	`uid_validity` integer NOT NULL,
	`last_uid` integer NOT NULL,
	`updated_at` integer NOT NULL
);
