// openapi.test.mjs — the OpenAPI document says what the server does: it
// lists every route of the route table and nothing else, every operation
// declares the problem replies of its shape, every query parameter it
// declares is one the server accepts (with a value of the declared type),
// and the customer list declares every filter its parser accepts. Also the
// request checker the browser tests use (tests/browser/openapi_check.mjs):
// right requests pass, wrong ones are named. (Redocly's rules and the typed
// client: tests/openapi/check.sh.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, run } from '../lib/server.mjs';
import { requestChecker } from '../browser/openapi_check.mjs';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A value of the schema, as query text. */
function example(schema) {
  if (!schema) return 'x';
  if (schema.anyOf) return example(schema.anyOf[0]);
  if (schema.enum) return String(schema.enum[0]);
  if (schema.type === 'integer') return String(schema.minimum ?? 1);
  if (schema.type === 'boolean') return 'true';
  if (schema.format === 'date') return '2026-01-31';
  if (schema.pattern === '^[0-9]+$') return '1';
  return 'x';
}

// values a handler needs beyond the type: a parameter's value with the
// parameters it goes with
const OVERRIDES = {
  'GET /api/v1/projects/board': { stage: { stage: 'lead' }, cursor: { stage: 'lead', cursor: '1' } },
  'GET /api/v1/projects/pipeline': { owner: { group: 'stage', template_id: '1', owner: 'me' } },
  'GET /api/v1/customers': { fields: { fields: 'name,phone' } },
  'GET /api/v1/customers/export': { fields: { fields: 'name,phone' } },
  'GET /api/v1/customers/pool-status': { ids: { ids: '1,2' } },
};

for (const engine of engines()) {
  describe(`OpenAPI document [${engine}]`, () => {
    let srv, admin, doc;
    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
      const r = await srv.client().get('/api/v1/openapi.json');
      assert.equal(r.status, 200);
      doc = r.body;
    });
    after(async () => { await srv.stop(); });

    it('lists every route of the route table, and only those', () => {
      const routes = new Set(run(['routes']).trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')));
      const ops = new Set();
      for (const [p, item] of Object.entries(doc.paths))
        for (const m of Object.keys(item)) ops.add(`${m.toUpperCase()} ${p}`);
      assert.ok(routes.size > 100, 'a real route table');
      assert.deepEqual([...routes].filter((k) => !ops.has(k)), [], 'routes missing from the document');
      assert.deepEqual([...ops].filter((k) => !routes.has(k)), [], 'operations that are no route');
    });

    it('has servers and a license, unique operationIds and the problem replies of each operation', () => {
      assert.ok(doc.servers?.length, 'servers');
      assert.ok(doc.info.license?.name, 'license');
      const ids = new Set();
      for (const [p, item] of Object.entries(doc.paths)) {
        for (const [m, op] of Object.entries(item)) {
          const k = `${m.toUpperCase()} ${p}`;
          assert.ok(!ids.has(op.operationId), `${k}: operationId ${op.operationId} is unique`);
          ids.add(op.operationId);
          const codes = Object.keys(op.responses);
          assert.ok(codes.some((c) => /^4\d\d$/.test(c)), `${k} declares 4xx replies`);
          assert.ok(codes.includes('400'), `${k}: 400`);
          if (!op.security || op.security.length) {
            assert.ok(codes.includes('401') && codes.includes('403'), `${k}: 401 and 403 (signed-in)`);
          }
          if (p.includes('{')) assert.ok(codes.includes('404'), `${k}: 404 (a path parameter)`);
          if (op.requestBody?.required && op.requestBody.content['application/json']) assert.ok(codes.includes('422'), `${k}: 422 (a JSON body)`);
          if (m !== 'get') assert.ok(codes.includes('413') && codes.includes('415'), `${k}: 413 and 415`);
          for (const c of codes.filter((x) => /^4/.test(x))) {
            const ref = op.responses[c].$ref;
            const r = ref ? doc.components.responses[ref.split('/').pop()] : op.responses[c];
            assert.ok(r?.content?.['application/problem+json'], `${k} ${c} is problem+json`);
          }
          const schema = op.requestBody?.content?.['application/json']?.schema;
          for (const req of schema?.required || []) {
            assert.ok(schema.properties?.[req], `${k}: the required body property ${req} is defined`);
          }
        }
      }
      assert.ok(doc.paths['/api/v1/session'].post.responses['429'], 'sign-in throttling is declared');
    });

    it('the customer list declares every filter its parser accepts, with types', async () => {
      const declared = new Map(doc.paths['/api/v1/customers'].get.parameters
        .filter((x) => x.in === 'query').map((x) => [x.name, x.schema]));
      const filters = {
        q: 'string', owner: null, level_id: 'integer', industry_id: 'integer', region_id: 'integer',
        source_id: 'integer', qualification_id: 'integer', followup_method_id: 'integer',
        protected: 'boolean', signed: 'boolean', created_from: null, created_to: null,
        updated_from: null, updated_to: null, next_contact_before: null, limit: 'integer',
        cursor: 'string', sort: 'string', fields: 'string', cf: 'object',
      };
      for (const [name, type] of Object.entries(filters)) {
        assert.ok(declared.has(name), `customer list declares ${name}`);
        if (type) assert.equal(declared.get(name).type, type, `${name} is ${type}`);
      }
      // each typed filter is really read: a value not of its type is refused
      for (const [name, schema] of declared) {
        if (!['integer', 'boolean'].includes(schema.type) && !schema.anyOf) continue;
        const r = await admin.get(`/api/v1/customers?${name}=not-a-${name}`);
        assert.equal(r.status, 400, `${name}=not-a-${name} is refused: ${r.text}`);
      }
    });

    it('every declared query parameter is accepted with a value of its type', async () => {
      const refused = [];
      for (const [p, item] of Object.entries(doc.paths)) {
        const op = item.get;
        if (!op || p.includes('{') || (op.security && !op.security.length)) continue;
        const query = (op.parameters || []).filter((x) => x.in === 'query' && x.schema?.type !== 'object');
        if (!query.length) continue;
        const k = `GET ${p}`;
        const required = Object.fromEntries(query.filter((x) => x.required).map((x) => [x.name, example(x.schema)]));
        for (const prm of query) {
          const params = new URLSearchParams({ ...required, ...(OVERRIDES[k]?.[prm.name] ?? { [prm.name]: example(prm.schema) }) });
          const r = await admin.get(`${p}?${params}`);
          if (r.status >= 400) refused.push(`${k}?${params} → ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
      assert.deepEqual(refused, []);
    });

    it('the browser tests\' request checker passes right requests and names wrong ones', () => {
      const check = requestChecker(doc);
      const base = srv.url;
      const ok = (r) => assert.deepEqual(check(r), [], `${r.method} ${r.url} is allowed`);
      const bad = (r, re) => {
        const problems = check(r);
        assert.ok(problems.some((x) => re.test(x)), `${r.method} ${r.url}: ${JSON.stringify(problems)} names ${re}`);
      };
      ok({ method: 'GET', url: `${base}/api/v1/customers?q=%E5%8D%8E&owner=pool&level_id=3&protected=false&cf.color=red&limit=50` });
      ok({ method: 'GET', url: `${base}/api/v1/customers/duplicates?name=x` });
      ok({ method: 'POST', url: `${base}/api/v1/approvals/7/approve`, body: '{"version":2,"comment":"ok"}', contentType: 'application/json' });
      bad({ method: 'GET', url: `${base}/api/v1/customers?colour=red` }, /query parameter colour is not in the OpenAPI document/);
      bad({ method: 'GET', url: `${base}/api/v1/customers?level_id=abc` }, /level_id="abc"/);
      bad({ method: 'GET', url: `${base}/api/v1/customers?limit=0` }, /limit="0"/);
      bad({ method: 'GET', url: `${base}/api/v1/customers/undefined` }, /path parameter id="undefined"/);
      bad({ method: 'GET', url: `${base}/api/v1/nothing-here` }, /no such path/);
      bad({ method: 'PUT', url: `${base}/api/v1/customers` }, /PUT is not an operation/);
      // the approvals drawer that left out the version
      bad({ method: 'POST', url: `${base}/api/v1/approvals/7/approve`, body: '{"comment":"ok"}', contentType: 'application/json' }, /must have required property 'version'/);
      bad({ method: 'POST', url: `${base}/api/v1/approvals/7/approve`, body: '{"version":"2"}', contentType: 'application/json' }, /body\/version must be integer/);
      bad({ method: 'GET', url: `${base}/api/v1/views` }, /required query parameter resource is missing/);
      bad({ method: 'GET', url: `${base}/api/v1/users?q=a&q=b` }, /given 2 times/);
      bad({ method: 'GET', url: `${base}/api/v1/me`, body: '{}' }, /takes none/);
      // a POST without a body may send nothing or {} (the front end's api.post), nothing more
      ok({ method: 'POST', url: `${base}/api/v1/reminders/feed`, body: '{}', contentType: 'application/json' });
      bad({ method: 'POST', url: `${base}/api/v1/reminders/feed`, body: '{"x":1}', contentType: 'application/json' }, /must NOT have more than 0 properties/);
    });
  });
}
