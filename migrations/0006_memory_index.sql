-- Hybrid recall: an FTS5 table beside memory_docs (same rowid), and triggers that queue every change
-- to the tables recall reads, so the indexer needs no hook in any connector. Vector tables are made
-- per embedder at run time (their width depends on the embedder), see src/memory/vectors.ts.
CREATE VIRTUAL TABLE `memory_fts` USING fts5(`text`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `memory_changes_clients_insert` AFTER INSERT ON `clients` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_clients_update` AFTER UPDATE ON `clients` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_clients_delete` AFTER DELETE ON `clients` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'clients', `id` FROM `clients`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_notes_insert` AFTER INSERT ON `notes` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('notes', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_notes_update` AFTER UPDATE ON `notes` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('notes', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_notes_delete` AFTER DELETE ON `notes` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('notes', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'notes', `id` FROM `notes`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_proposals_insert` AFTER INSERT ON `proposals` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('proposals', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_proposals_update` AFTER UPDATE ON `proposals` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('proposals', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_proposals_delete` AFTER DELETE ON `proposals` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('proposals', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'proposals', `id` FROM `proposals`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_invoices_insert` AFTER INSERT ON `invoices` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('invoices', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_invoices_update` AFTER UPDATE ON `invoices` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('invoices', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_invoices_delete` AFTER DELETE ON `invoices` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('invoices', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'invoices', `id` FROM `invoices`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_meetings_insert` AFTER INSERT ON `meetings` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('meetings', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_meetings_update` AFTER UPDATE ON `meetings` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('meetings', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_meetings_delete` AFTER DELETE ON `meetings` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('meetings', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'meetings', `id` FROM `meetings`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_outbox_emails_insert` AFTER INSERT ON `outbox_emails` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('outbox_emails', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_outbox_emails_update` AFTER UPDATE ON `outbox_emails` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('outbox_emails', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_outbox_emails_delete` AFTER DELETE ON `outbox_emails` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('outbox_emails', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'outbox_emails', `id` FROM `outbox_emails`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_memory_summaries_insert` AFTER INSERT ON `memory_summaries` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('memory_summaries', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_memory_summaries_update` AFTER UPDATE ON `memory_summaries` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('memory_summaries', NEW.`id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_memory_summaries_delete` AFTER DELETE ON `memory_summaries` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('memory_summaries', OLD.`id`); END;
--> statement-breakpoint
INSERT INTO `memory_changes` (`source`, `source_id`) SELECT 'memory_summaries', `id` FROM `memory_summaries`;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_client_aliases_insert` AFTER INSERT ON `client_aliases` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', NEW.`client_id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_client_aliases_update` AFTER UPDATE ON `client_aliases` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', NEW.`client_id`); END;
--> statement-breakpoint
CREATE TRIGGER `memory_changes_client_aliases_delete` AFTER DELETE ON `client_aliases` BEGIN INSERT INTO `memory_changes` (`source`, `source_id`) VALUES ('clients', OLD.`client_id`); END;
