DROP INDEX `actions_state_idx`;--> statement-breakpoint
CREATE INDEX `actions_state_idx` ON `actions` (`state`,`expires_at`);