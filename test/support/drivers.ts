/**
 * The driver majors the library supports, for tests that must pass with each: mongodb 7 (the dev dependency) and
 * mongodb 6 (installed as `mongodb6`, what Mongoose 8 apps run).
 */

import { MongoClient as MongoClient7 } from 'mongodb';
import type { Db, MongoClientOptions } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { afterAll, beforeAll } from 'vitest';
import { connectTestClient, testServer, uniqueDbName } from './server.js';

/** One supported driver major and how to connect with it. */
export interface DriverMajor {
  readonly major: 6 | 7;
  /**
   * A connected client of that major. Typed as the mongodb 7 client: the calls the tests make have the same shape in
   * both, and the library accepts either.
   */
  connect(uri: string, options?: Pick<MongoClientOptions, 'monitorCommands'>): Promise<MongoClient7>;
}

export const DRIVER_MAJORS: readonly DriverMajor[] = [
  {
    major: 6,
    connect: async (uri, options) => (await MongoClient6.connect(uri, options)) as unknown as MongoClient7,
  },
  { major: 7, connect: (uri, options) => MongoClient7.connect(uri, options) },
];

/** A database seeded for one test file, and a client of one driver major over it (see {@link useDriverClient}). */
export interface DriverClientFixture {
  /** The seeded database's name, unique to the run. */
  readonly dbName: string;
  /** The test server's own client (mongodb 7), which seeded the database. */
  seeder(): MongoClient7;
  /** The client of the driver major under test. */
  client(): MongoClient7;
}

/**
 * Seeds a fresh database before the file's tests (when a test server exists) and connects a client of `driver`'s
 * major to it; drops the database and closes both clients after them.
 */
export function useDriverClient(
  driver: DriverMajor,
  setup: {
    readonly prefix: string;
    seed(db: Db): Promise<void>;
    readonly monitorCommands?: boolean;
  },
): DriverClientFixture {
  const dbName = uniqueDbName(`${setup.prefix}${driver.major}`);
  let seeder: MongoClient7 | undefined;
  let client: MongoClient7 | undefined;
  beforeAll(async () => {
    if (testServer().kind === 'none') return;
    seeder = await connectTestClient();
    await setup.seed(seeder.db(dbName));
    client = await driver.connect(testServer().uri, { monitorCommands: setup.monitorCommands === true });
  });
  afterAll(async () => {
    await seeder?.db(dbName).dropDatabase();
    await seeder?.close();
    await client?.close();
  });
  return { dbName, seeder: () => seeder as MongoClient7, client: () => client as MongoClient7 };
}
