import { describe, expect, it } from 'vitest';
import { href, parseHash } from '../../../src/app/router.svelte';

describe('hash routes', () => {
  it('reads a stage opened with a choice from another stage (train?transform=<id>)', () => {
    expect(parseHash('#/p/abc/train?transform=t%201')).toEqual({ page: 'project', projectId: 'abc', stage: 'train', versionId: undefined, query: { transform: 't 1' } });
    expect(parseHash('#/p/abc/train')).toEqual({ page: 'project', projectId: 'abc', stage: 'train', versionId: undefined });
    expect(parseHash('#/p/abc/data/v1')).toEqual({ page: 'project', projectId: 'abc', stage: 'data', versionId: 'v1' });
  });

  it('writes the query back, so a link and its route agree', () => {
    const route = { page: 'project' as const, projectId: 'abc', stage: 'train' as const, query: { transform: 'id/1' } };
    expect(href(route)).toBe('#/p/abc/train?transform=id%2F1');
    expect(parseHash(href(route))).toMatchObject(route);
    expect(href({ page: 'project', projectId: 'abc', stage: 'transform' })).toBe('#/p/abc/transform');
  });
});
