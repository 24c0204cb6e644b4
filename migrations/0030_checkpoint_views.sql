DROP TABLE `checkpoint_blobs`;--> statement-breakpoint
DROP TABLE `checkpoints`;--> statement-breakpoint
CREATE VIEW `checkpoints` AS
  SELECT `thread_id`, `checkpoint_ns`, `version` AS `checkpoint_id`, `parent_checkpoint_id`, `type`, `blob` AS `checkpoint`, `metadata`, `channel_versions`, `source`
  FROM `checkpoint_rows` WHERE `channel` = '';--> statement-breakpoint
CREATE VIEW `checkpoint_blobs` AS
  SELECT `thread_id`, `checkpoint_ns`, `channel`, `version`, `type`, `blob`
  FROM `checkpoint_rows` WHERE `channel` <> '';
