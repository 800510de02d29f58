// Lines of `docker compose logs --no-color --timestamps`, as Docker Engine and podman's compose print them.
import { describe, expect, it } from 'vitest';
import { parseComposeLine } from '../../src/ops/service-logs.js';

describe('parseComposeLine', () => {
  it('reads the service from the container prefix, with or without the project in it', () => {
    expect(parseComposeLine('filesystem-mcp-1  | 2025-07-24T10:00:00.123456789Z ready', ['filesystem-mcp'])).toEqual({ service: 'filesystem-mcp', rest: '2025-07-24T10:00:00.123456789Z ready' });
    expect(parseComposeLine('prod-git_mcp-2 | 2025-07-24T10:00:00Z x', ['git_mcp'])).toEqual({ service: 'git_mcp', rest: '2025-07-24T10:00:00Z x' });
  });

  it('drops the erase-line escape podman puts before every line, even with --no-color', () => {
    expect(parseComposeLine('\x1b[2Kfilesystem_mcp-1  | 2026-12-03T12:56:54Z engine-test-server 4.2 listening 3000', ['filesystem_mcp'])).toEqual({ service: 'filesystem_mcp', rest: '2026-12-03T12:56:54Z engine-test-server 4.2 listening 3000' });
  });

  it('is not fooled by a line that is no log line', () => {
    expect(parseComposeLine('no pipe here', ['x'])).toBeUndefined();
  });
});
