/** A namespace cut into its database and collection parts. */
export interface SplitNamespace {
  /** Everything before the first dot. */
  readonly db: string;
  /** Everything after the first dot (may itself hold dots); "" when the namespace has no dot. */
  readonly collection: string;
}

/**
 * Splits a `db.collection` namespace at its FIRST dot, as the server and the archive format do: database names
 * cannot contain dots, collection names can.
 *
 * @example
 * ```ts
 * import { splitNamespace } from 'mongo-backup-service';
 * splitNamespace('shop.orders.2024'); // { db: 'shop', collection: 'orders.2024' }
 * splitNamespace('.oplog');           // { db: '', collection: 'oplog' }
 * ```
 */
export function splitNamespace(namespace: string): SplitNamespace {
  const dot = namespace.indexOf('.');
  if (dot === -1) return { db: namespace, collection: '' };
  return { db: namespace.slice(0, dot), collection: namespace.slice(dot + 1) };
}
