import type { MigrationMeta } from 'drizzle-orm/migrator';

/** Every migration in migrations/, written by scripts/bundle-migrations.ts before a Worker build (the .js is git-ignored). */
export declare const bundledMigrations: MigrationMeta[];
