-- Recall indexes client replies like every other record: triggers queue their changes for the indexer (see 0006).
CREATE TRIGGER `memory_changes_email_replies_insert` AFTER INSERT ON `email_replies` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('email_replies', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_email_replies_update` AFTER UPDATE ON `email_replies` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('email_replies', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_email_replies_delete` AFTER DELETE ON `email_replies` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('email_replies', OLD.`id`); END;
