// Minor hops (4.0→4.1, 4.1→4.2, 5.0→5.1, 5.1→5.2): no breaking change, the shape is the same and the
// newer minor only adds optional fields, so the hop sets the version and carries everything.
import type { KnownVersion } from '../../versions.js';
import type { Doc, Hop } from './types.js';

export function minorHop(from: KnownVersion, to: KnownVersion, features: string[]): Hop {
  return {
    from,
    to,
    type: 'minor',
    breakingChanges: [],
    features,
    apply(doc: Doc) {
      return { config: { ...doc, version: to }, manualActions: [], reported: [] };
    },
  };
}
