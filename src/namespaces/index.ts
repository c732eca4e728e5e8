/**
 * mongorestore's namespace rules: which namespaces to restore (nsInclude, nsExclude, --db, --collection,
 * --excludeCollection) and where to restore them (nsFrom/nsTo). Pure functions, no database needed.
 *
 * @packageDocumentation
 */
export { createNamespaceSelector, DEFAULT_NAMESPACE_INCLUDE } from './selector.js';
export type { NamespaceSelector, NamespaceSelectorOptions } from './selector.js';
export { createNamespaceRenamer, pairNamespaceRenames } from './renamer.js';
export type { NamespaceRename, NamespaceRenamer } from './renamer.js';
export { escapeNamespacePattern } from './pattern.js';
export { splitNamespace } from './split-namespace.js';
export { unmatchedPatternWarnings } from './unmatched-patterns.js';
export type { NamespacePatternLists } from './unmatched-patterns.js';
export type { SplitNamespace } from './split-namespace.js';
