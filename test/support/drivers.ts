/**
 * The driver majors the library supports, for tests that must pass with each: mongodb 7 (the dev dependency) and
 * mongodb 6 (installed as `mongodb6`, what Mongoose 8 apps run).
 */

import { MongoClient as MongoClient7 } from 'mongodb';
import type { MongoClientOptions } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';

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
