import type { z } from 'zod';
import { MongoBackupConfigError } from '../errors.js';

/**
 * Validates an options object against its zod schema and returns the parsed value; zod never shows through.
 *
 * @param what - names the options object in the error message, e.g. "namespace selector options".
 * @throws {@link MongoBackupConfigError} `INVALID_OPTIONS` listing one line per problem, each naming its field.
 * @internal
 */
export function parseOptions<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const where = issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
    return `${where}${issue.message}`;
  });
  throw new MongoBackupConfigError(`Invalid ${what}: ${issues.join('; ')}`, issues, { cause: result.error });
}
