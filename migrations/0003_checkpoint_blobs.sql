CREATE TABLE `checkpoint_blobs` (
	`thread_id` text NOT NULL,
	`checkpoint_ns` text DEFAULT '' NOT NULL,
	`channel` text NOT NULL,
	`version` text NOT NULL,
	`type` text NOT NULL,
	`blob` blob NOT NULL,
	PRIMARY KEY(`thread_id`, `checkpoint_ns`, `channel`, `version`)
);
--> statement-breakpoint
ALTER TABLE `checkpoint_writes` ADD `task_path` text DEFAULT '' NOT NULL;