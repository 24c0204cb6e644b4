CREATE TABLE `card_messages` (
	`transport` text NOT NULL,
	`chat` text NOT NULL,
	`message_id` text NOT NULL,
	`ref` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`transport`, `chat`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `card_messages_ref_idx` ON `card_messages` (`ref`);