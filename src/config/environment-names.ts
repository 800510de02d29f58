// The platform's environments, in promotion order: the config's `environment` field. A module of its own, so
// that what only needs the names (--env, environments add) does not load the config schemas and zod.
export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
