import { runMigrations } from '@tracksync/db';
import type { TestProject } from 'vitest/node';
import { databaseUrlFor, onServer, uniqueName } from './databases';
import { discoverService } from './discover';
import { postgresSource, redisSource } from './services';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
    redisUrl: string;
  }
}

/**
 * Finds Postgres and Redis once per run and migrates a template database; each test file
 * then clones the template (fast: a file copy, no migrations) into a database of its own.
 */
export default async function setup(project: TestProject) {
  const [postgres, redis] = await Promise.all([
    discoverService(postgresSource),
    discoverService(redisSource),
  ]);
  const templateDatabase = uniqueName('tracksync_template');
  await onServer(postgres.url, `create database "${templateDatabase}"`);
  await runMigrations(databaseUrlFor(postgres.url, templateDatabase));

  project.provide('databaseServerUrl', postgres.url);
  project.provide('templateDatabase', templateDatabase);
  project.provide('redisUrl', redis.url);

  return async () => {
    await onServer(postgres.url, `drop database if exists "${templateDatabase}" with (force)`);
    await Promise.all([postgres.stop?.(), redis.stop?.()]);
  };
}
