import type { MongoClient } from 'mongodb';

/**
 * A `MongoClient` of the `mongodb` driver, from any supported major (6.x or 7.x; see the README's "Supported driver
 * versions"). Only what the library relies on is named, so the class of either major fits, whichever `mongodb` your
 * application installed.
 */
export interface MongoClientLike {
  /** Connects (a no-op when already connected). */
  connect(): Promise<unknown>;
  /** Closes the client. */
  close(): Promise<void>;
  /** A database handle. */
  db(dbName?: string): unknown;
  /** The parsed options: hosts and credentials are read (never logged) to describe the client and scrub errors. */
  readonly options: {
    readonly hosts: readonly { toString(): string }[];
    readonly srvHost?: string | undefined;
    readonly credentials?: { readonly password?: string | undefined } | undefined;
  };
}

/**
 * The client as the library's code sees it. The library is compiled against one major's types; what it calls exists
 * with the same shape in every supported major, and the integration tests run it against each of them.
 *
 * @internal
 */
export function asDriverClient(client: MongoClientLike): MongoClient {
  return client as unknown as MongoClient;
}
