/**
 * Splits a MongoDB connection string into its parts without the driver, so that credentials can be located (and
 * removed) even in strings the driver would reject.
 *
 * @packageDocumentation
 */

/**
 * The parts of a `mongodb://` or `mongodb+srv://` connection string, exactly as written (still percent-encoded).
 *
 * @internal
 */
export interface MongoUriParts {
  /** `mongodb` or `mongodb+srv`, lower-cased. */
  readonly scheme: 'mongodb' | 'mongodb+srv';
  /** The user name, when the string has credentials. */
  readonly username: string | undefined;
  /** The password, when the string has one (`user:password@`). */
  readonly password: string | undefined;
  /** The host list, each `host[:port]` as written. May contain empty entries when the string is malformed. */
  readonly hosts: readonly string[];
  /** Everything after the host list: `/db?options#fragment`, possibly empty. */
  readonly tail: string;
  /**
   * `true` when the end of the credentials could not be told apart from the rest, because a character that must be
   * percent-encoded (`/`, `?`, `#`) appears before the last `@`. Everything up to that `@` is then taken as
   * credentials, which errs on the side of hiding too much.
   */
  readonly ambiguous: boolean;
}

const SCHEME_PATTERN = /^(mongodb(?:\+srv)?):\/\//i;
const AUTHORITY_END = /[/?#]/;

/**
 * Splits a connection string, or returns `undefined` when it does not start with `mongodb://` or `mongodb+srv://`.
 *
 * @internal
 */
export function splitMongoUri(uri: string): MongoUriParts | undefined {
  const match = SCHEME_PATTERN.exec(uri);
  if (match === null) return undefined;
  const scheme = match[1]?.toLowerCase() === 'mongodb+srv' ? 'mongodb+srv' : 'mongodb';
  const rest = uri.slice(match[0].length);

  let userinfo: string | undefined;
  let afterCredentials = rest;
  let ambiguous = false;
  const authorityEnd = indexOrLength(rest, AUTHORITY_END);
  const atInAuthority = rest.lastIndexOf('@', authorityEnd - 1);
  if (atInAuthority !== -1 && atInAuthority < authorityEnd) {
    userinfo = rest.slice(0, atInAuthority);
    afterCredentials = rest.slice(atInAuthority + 1);
  } else {
    const lastAt = rest.lastIndexOf('@');
    if (lastAt !== -1) {
      userinfo = rest.slice(0, lastAt);
      afterCredentials = rest.slice(lastAt + 1);
      ambiguous = true;
    }
  }

  const hostsEnd = indexOrLength(afterCredentials, AUTHORITY_END);
  const hostList = afterCredentials.slice(0, hostsEnd);
  const colon = userinfo?.indexOf(':') ?? -1;
  return {
    scheme,
    username: userinfo === undefined ? undefined : colon === -1 ? userinfo : userinfo.slice(0, colon),
    password: userinfo === undefined || colon === -1 ? undefined : userinfo.slice(colon + 1),
    hosts: hostList === '' ? [] : hostList.split(','),
    tail: afterCredentials.slice(hostsEnd),
    ambiguous,
  };
}

function indexOrLength(text: string, pattern: RegExp): number {
  const index = text.search(pattern);
  return index === -1 ? text.length : index;
}

/**
 * Decodes a percent-encoded credential, or returns it unchanged when it is not valid percent-encoding.
 *
 * @internal
 */
export function decodeCredential(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
