CREATE TABLE `checkpoint_rows` (
	`thread_id` text NOT NULL,
	`checkpoint_ns` text DEFAULT '' NOT NULL,
	`channel` text NOT NULL,
	`version` text NOT NULL,
	`type` text,
	`blob` blob NOT NULL,
	`metadata` blob,
	`parent_checkpoint_id` text,
	`channel_versions` text,
	`source` text,
	PRIMARY KEY(`thread_id`, `checkpoint_ns`, `channel`, `version`)
);
--> statement-breakpoint
INSERT INTO `checkpoint_rows` (`thread_id`, `checkpoint_ns`, `channel`, `version`, `type`, `blob`)
  SELECT `thread_id`, `checkpoint_ns`, `channel`, `version`, `type`, `blob` FROM `checkpoint_blobs`;--> statement-breakpoint
INSERT INTO `checkpoint_rows` (`thread_id`, `checkpoint_ns`, `channel`, `version`, `type`, `blob`, `metadata`, `parent_checkpoint_id`, `channel_versions`, `source`)
  SELECT `thread_id`, `checkpoint_ns`, '', `checkpoint_id`, `type`, `checkpoint`, `metadata`, `parent_checkpoint_id`, `channel_versions`, `source` FROM `checkpoints`;
