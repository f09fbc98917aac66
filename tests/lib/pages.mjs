// pages.mjs — every page of a customer quick search, for the search tests.
import assert from 'node:assert/strict';

/**
 * Every page of GET /customers?q= as client c (limit per page; extra: more
 * of the query string, e.g. "&sort=id"), following next_cursor; checks each
 * page's status and size. Fails beyond maxPages pages.
 */
export async function allPages(c, q, limit, extra = '', maxPages = 200) {
  const items = [];
  let cursor = '';
  for (let pages = 0; pages < maxPages; pages++) {
    const r = await c.get(`/api/v1/customers?q=${encodeURIComponent(q)}&limit=${limit}${extra}${cursor}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= limit);
    items.push(...r.body.items);
    if (!r.body.next_cursor) return items;
    cursor = `&cursor=${r.body.next_cursor}`;
  }
  throw new Error(`more than ${maxPages} pages`);
}
