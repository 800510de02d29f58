// The config module's public interface (kept stable; other modules import from here).
export { loadConfig, writeConfig, listHistory, fileFor, type LoadedConfig, type WriteResult, type AnyConfig } from './load.js';
export { validateConfig, assertValid, generationOf, versionOfDoc, formatPath, type Validation, type ValidationIssue } from './validate.js';
export { transformConfig, HOPS, hopOf, type TransformResult, type HopNote, type HopReport } from './transformers/registry.js';
export type { BreakingChange, ReportedField, Hop, Doc } from './transformers/types.js';
export { findPath, requirePath, resolveTarget, resolveSource, versionDifference, MIGRATION_TYPES, GUIDE_MIGRATION_PATHS, EDGES, type MigrationType } from './paths.js';
export { parseConfigText, serialize, serializeLike, type TextFormat } from './parse.js';
export { maskSecrets, fillPlaceholders, placeholderPaths, registerConfigSecrets, PLACEHOLDER } from './secrets.js';
export { applyEnvOverlay } from './env.js';
export { readStoredConfig, configPath, type StoredConfig } from './store.js';
export type { ConfigV4, ConfigV5, ConfigV6, ServiceV4, ServiceV5, ServiceV6, Generation } from './schemas/index.js';
