-- Recall indexes projects and tasks like every other record: triggers queue their changes for the indexer (see 0006).
CREATE TRIGGER `memory_changes_projects_insert` AFTER INSERT ON `projects` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('projects', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_projects_update` AFTER UPDATE ON `projects` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('projects', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_projects_delete` AFTER DELETE ON `projects` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('projects', OLD.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_tasks_insert` AFTER INSERT ON `tasks` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('tasks', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_tasks_update` AFTER UPDATE ON `tasks` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('tasks', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_tasks_delete` AFTER DELETE ON `tasks` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('tasks', OLD.`id`); END;
