// MongoDB through the official driver. The database is the URL's path (default `mcp`).
import type { MongoDatabase } from './types.js';

export function mongoDbName(url: string): string {
  try {
    const path = new URL(url).pathname.replace(/^\//, '');
    return decodeURIComponent(path) || 'mcp';
  } catch {
    return 'mcp';
  }
}

export async function openMongo(url: string, display: string): Promise<MongoDatabase> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, appName: 'mcp' });
  await client.connect();
  const db = client.db(mongoDbName(url));
  return {
    kind: 'mongo',
    display,
    db,
    async close() {
      await client.close();
    },
  };
}
