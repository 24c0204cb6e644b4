CREATE TABLE `voice_transcripts` (
	`transport` text NOT NULL,
	`file_id` text NOT NULL,
	`text` text NOT NULL,
	`model` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`transport`, `file_id`)
);
