// quotations.test.mjs — quotations, the first document with lines: each
// line priced by the pricing function (the most specific rule wins,
// validity dates, quantity breaks, the customer's tier) and naming its rule;
// a hand discount beyond the role's limit goes through the manager's
// approval before the quotation can be sent; every allowed and refused
// transition of the state table; the expiry job; new versions (the earlier
// one readable and compared side by side); totals that add up for random
// documents; currencies and their rates; who sees and changes what; bad
// input refused with nothing written. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, run, assertProblem } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `136${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;
// the company's date (Asia/Shanghai, the demo's zone)
const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

async function runJob(srv, name) {
  for (let i = 0; i < 40; i++) {
    sql(srv, `UPDATE job_leases SET until = NULL WHERE name = '${name}'`);
    try {
      return run(['jobs', 'run', name, '--db', srv.db.url]);
    } catch (e) {
      if (!/another server/.test(String(e.stderr))) throw new Error(`jobs run failed: ${e.stderr}`);
    }
    await sleep(250);
  }
  throw new Error(`could not take the ${name} lease`);
}

const sum = (xs, k) => xs.reduce((s, x) => s + x[k], 0);

for (const engine of engines()) {
  describe(`quotations [${engine}]`, () => {
    let srv, admin, zhang, chen, li, huang, wang, sun, zhou;
    let cat, prodA, prodB, tier, cust;

    const create = async (c, body, status = 201) => {
      const r = await c.post('/api/v1/quotations', body);
      assert.equal(r.status, status, r.text);
      return r.body;
    };
    const act = async (c, q, event, body = {}) =>
      c.post(`/api/v1/quotations/${q.id}/${event}`, { version: q.version, ...body });
    const line = (p, qty, extra = {}) => ({ product_id: p.id, qty_milli: qty, ...extra });
    const count = () => Number(sql(srv, 'SELECT COUNT(*) FROM quotations'));

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, li, huang, wang, sun, zhou] = await Promise.all(
        ['admin', 'zhang', 'chen', 'li', 'huang', 'wang', 'sun', 'zhou'].map((l) => srv.login(l)));
      cat = (await admin.post('/api/v1/product-categories', { name: `报价线 Quote wire ${uniq()}` })).body;
      const mk = async (price) => (await admin.post('/api/v1/products', {
        code: `Q-${uniq()}`, name: `报价测试 Quote test ${uniq()}`, category_id: cat.id, unit: 'kg', list_price: price,
      })).body;
      prodA = await mk(10000);
      prodB = await mk(4321);
      tier = (await admin.post('/api/v1/customer-tiers', { name: `报价金牌 Quote gold ${uniq()}` })).body;
      cust = (await zhang.post('/api/v1/customers', { name: `报价客户 Quote customer ${uniq()}`, phone: phone() })).body;
      const t = await admin.put(`/api/v1/customers/${cust.id}/tier`, { tier_id: tier.id });
      assert.equal(t.status, 200, t.text);
    });
    after(() => srv.stop());

    it('prices each line by the most specific rule valid today, with quantity breaks and the tier, naming the rule', async () => {
      const rule = async (body) => {
        const r = await admin.post('/api/v1/price-rules', { name: `报价规则 Rule ${uniq()}`, ...body });
        assert.equal(r.status, 201, r.text);
        return r.body;
      };
      const catRule = await rule({ category_id: cat.id, discount_bp: 200 });
      const tierRule = await rule({ category_id: cat.id, tier_id: tier.id, discount_bp: 300 });
      await rule({ product_id: prodA.id, discount_bp: 900, valid_to: day(-1) }); // ended yesterday
      await rule({ product_id: prodA.id, discount_bp: 950, valid_from: day(1) }); // starts tomorrow
      const brk = await rule({ product_id: prodA.id, tier_id: tier.id, discount_bp: 600, min_qty_milli: 1000000 });
      const q = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 500000), line(prodA, 1000000), line(prodB, 2000)] });
      const [small, big, b] = q.lines;
      // below the break: the tier's category rule beats the general one
      assert.equal(small.rule_id, tierRule.id);
      assert.equal(small.rule_name, tierRule.name);
      assert.equal(small.list_price, 10000);
      assert.equal(small.rule_discount_bp, 300);
      assert.equal(small.unit_price, 9700);
      // at the break: the product rule for the tier
      assert.equal(big.rule_id, brk.id);
      assert.equal(big.unit_price, 9400);
      assert.equal(b.rule_id, tierRule.id);
      assert.equal(b.unit_price, 4191); // 4321 less 3 %, to the fen
      assert.equal(q.tier_name, tier.name);
      // the dated rules never applied; a customer without the tier gets the general rule
      const plain = (await zhang.post('/api/v1/customers', { name: `普通报价 Plain ${uniq()}`, phone: phone() })).body;
      const p = await create(zhang, { customer_id: plain.id, lines: [line(prodA, 500000)] });
      assert.equal(p.lines[0].rule_id, catRule.id);
      assert.equal(p.lines[0].unit_price, 9800);
    });

    it('a hand discount within the limit is sent at once; beyond it the manager approves before it can be sent', async () => {
      let q = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 10000, { discount_bp: 500 })] });
      assert.equal(q.needs_approval, false);
      assert.equal(q.discount_limit_bp, 500);
      assert.deepEqual(q.actions.sort(), ['edit', 'send']);
      assertProblem(assert, await act(zhang, q, 'submit'), 409, 'conflict');
      let r = await act(zhang, q, 'send');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.state, 'sent');

      q = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 10000, { discount_bp: 800 })] });
      assert.equal(q.needs_approval, true);
      assert.deepEqual(q.actions.sort(), ['edit', 'submit']);
      assertProblem(assert, await act(zhang, q, 'send'), 409, 'conflict');
      r = await act(zhang, q, 'submit', { reason: '年度大单 Annual order' });
      assert.equal(r.status, 200, r.text);
      q = r.body;
      assert.equal(q.state, 'in_approval');
      assert.equal(q.approval.state, 'pending');
      // zhang's manager li decides; huang, another team's manager, may not
      const ap = (await li.get(`/api/v1/approvals/${q.approval.id}`)).body;
      assert.equal(ap.doc_type, 'quotation');
      assert.equal(ap.amount, q.grand_total_cny);
      assertProblem(assert, await huang.post(`/api/v1/approvals/${q.approval.id}/approve`, { version: ap.version }), 404);
      r = await li.post(`/api/v1/approvals/${q.approval.id}/approve`, { version: ap.version });
      assert.equal(r.status, 200, r.text);
      q = (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
      assert.equal(q.state, 'approved');
      assert.deepEqual(q.actions.sort(), ['edit', 'send']);
      r = await act(zhang, q, 'send');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.state, 'sent');

      // a manager's rejection sends it back to draft; the applicant may withdraw
      q = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 10000, { discount_bp: 900 })] });
      q = (await act(zhang, q, 'submit')).body;
      const ap2 = (await li.get(`/api/v1/approvals/${q.approval.id}`)).body;
      r = await li.post(`/api/v1/approvals/${q.approval.id}/reject`, { version: ap2.version, comment: '折扣太大 Too much' });
      assert.equal(r.status, 200, r.text);
      q = (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
      assert.equal(q.state, 'draft');
      q = (await act(zhang, q, 'submit')).body;
      r = await act(zhang, q, 'withdraw');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.state, 'draft');
    });

    it('the state table: every event allowed or refused in every state', async () => {
      const fresh = (d = 0) => create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000, { discount_bp: d })] });
      const reach = {
        draft: () => fresh(),
        in_approval: async () => (await act(zhang, await fresh(700), 'submit')).body,
        approved: async () => {
          const q = (await act(zhang, await fresh(700), 'submit')).body;
          const ap = (await li.get(`/api/v1/approvals/${q.approval.id}`)).body;
          await li.post(`/api/v1/approvals/${q.approval.id}/approve`, { version: ap.version });
          return (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
        },
        sent: async () => (await act(zhang, await fresh(), 'send')).body,
        accepted: async () => (await act(zhang, (await act(zhang, await fresh(), 'send')).body, 'accept')).body,
        rejected: async () => (await act(zhang, (await act(zhang, await fresh(), 'send')).body, 'reject', { reason: '价格高 Price' })).body,
      };
      const allowed = {
        draft: { edit: 'draft', send: 'sent' },
        in_approval: { withdraw: 'draft' },
        approved: { edit: 'draft', send: 'sent' },
        sent: { accept: 'accepted', reject: 'rejected', revise: 'draft' },
        accepted: {},
        rejected: { revise: 'draft' },
      };
      const events = ['edit', 'submit', 'withdraw', 'send', 'accept', 'reject', 'revise'];
      for (const [state, make] of Object.entries(reach)) {
        for (const ev of events) {
          const q = await make();
          assert.equal(q.state, state);
          const r = ev === 'edit'
            ? await zhang.patch(`/api/v1/quotations/${q.id}`, { version: q.version, notes: `n ${ev}` })
            : await act(zhang, q, ev);
          const to = allowed[state][ev];
          if (to) {
            assert.equal(r.status, 200, `${state} --${ev}--> ${r.text}`);
            assert.equal(r.body.state, to, `${state} --${ev}-->`);
          } else {
            assertProblem(assert, r, 409, 'conflict');
            const now = (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
            assert.equal(now.state, state, `${state} --${ev}--> changed nothing`);
            assert.equal(now.version, q.version);
          }
        }
      }
      // a draft beyond the limit: submit is allowed, send is not
      const d = await fresh(700);
      assert.equal((await act(zhang, d, 'submit')).body.state, 'in_approval');
      // a stale version is 409 version_conflict
      const s = await fresh();
      await zhang.patch(`/api/v1/quotations/${s.id}`, { version: s.version, notes: 'first' });
      assertProblem(assert, await act(zhang, s, 'send'), 409, 'version_conflict');
    });

    it('the expiry job expires sent quotations past their validity date, and only those', async () => {
      const mk = async () => (await act(zhang, await create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] }), 'send')).body;
      const old = await mk();
      const current = await mk();
      const draft = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      sql(srv, `UPDATE quotations SET valid_until = '${day(-1)}' WHERE id IN (${old.id}, ${draft.id})`);
      sql(srv, `UPDATE quotations SET valid_until = '${day(0)}' WHERE id = ${current.id}`);
      await runJob(srv, 'quotations_expire');
      const get = async (q) => (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
      const o = await get(old);
      assert.equal(o.state, 'expired');
      assert.equal((await get(current)).state, 'sent');
      assert.equal((await get(draft)).state, 'draft');
      const h = (await zhang.get(`/api/v1/quotations/${old.id}/history`)).body;
      assert.ok(h.items.some((x) => x.action === 'expire'));
      // an expired quotation gets a new version
      const r = await act(zhang, o, 'revise');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.revision, 2);
      assert.equal(r.body.state, 'draft');
    });

    it('a sent quotation changes only by a new version; the earlier one stays readable and comparable', async () => {
      let q = await create(zhang, {
        customer_id: cust.id, payment_terms: '月结 30 天', lines: [line(prodA, 100000), line(prodB, 5000)],
      });
      q = (await act(zhang, q, 'send')).body;
      assertProblem(assert, await zhang.patch(`/api/v1/quotations/${q.id}`, { version: q.version, lines: [line(prodA, 1000)] }), 409, 'conflict');
      q = (await act(zhang, q, 'revise')).body;
      assert.equal(q.revision, 2);
      assert.deepEqual(q.revisions, [1, 2]);
      const r = await zhang.patch(`/api/v1/quotations/${q.id}`, {
        version: q.version, payment_terms: '预付 30%', lines: [line(prodA, 200000), line(prodA, 3000, { discount_bp: 100 })],
      });
      assert.equal(r.status, 200, r.text);
      q = r.body;
      const v1 = (await zhang.get(`/api/v1/quotations/${q.id}/revisions/1`)).body;
      assert.equal(v1.payment_terms, '月结 30 天');
      assert.equal(v1.state, 'sent');
      assert.equal(v1.lines.length, 2);
      assert.equal(v1.lines[0].qty_milli, 100000);
      const cmp = (await zhang.get(`/api/v1/quotations/${q.id}/compare?a=1&b=2`)).body;
      assert.equal(cmp.a.payment_terms, '月结 30 天');
      assert.equal(cmp.b.payment_terms, '预付 30%');
      const rowsA = cmp.rows.filter((x) => x.product_id === prodA.id);
      assert.equal(rowsA.length, 2);
      assert.equal(rowsA[0].a.qty_milli, 100000);
      assert.equal(rowsA[0].b.qty_milli, 200000);
      assert.equal(rowsA[0].changed, true);
      assert.equal(rowsA[1].a, null);
      const onlyA = cmp.rows.find((x) => x.product_id === prodB.id);
      assert.equal(onlyA.b, null);
      assert.equal(onlyA.a.qty_milli, 5000);
      assertProblem(assert, await zhang.get(`/api/v1/quotations/${q.id}/compare?a=1&b=3`), 422);
      assertProblem(assert, await zhang.get(`/api/v1/quotations/${q.id}/revisions/3`), 404);
    });

    it('totals equal the sum of the lines for random documents, header discount, freight and tax either way', async () => {
      let seed = 12345;
      const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
      const prods = [prodA, prodB];
      for (let k = 0; k < 12; k++) {
        const n = 1 + rnd(6);
        const lines = Array.from({ length: n }, () => line(prods[rnd(2)], 1 + rnd(5000000), { discount_bp: rnd(6) * 100 }));
        const body = { customer_id: cust.id, lines, freight: rnd(100000), prices_include_tax: rnd(2) === 0 };
        const pv = await zhang.post('/api/v1/quotations/preview', body);
        assert.equal(pv.status, 200, pv.text);
        body.header_discount = rnd(Math.max(1, Math.floor(pv.body.total / 10)));
        const q = await create(zhang, body);
        for (const key of ['amount', 'net', 'tax', 'total']) assert.equal(sum(q.lines, key), q[key], key);
        assert.equal(sum(q.lines, 'header_discount'), q.header_discount);
        assert.equal(sum(q.lines, 'discount') + q.header_discount, q.discount);
        assert.equal(q.net + q.tax, q.total);
        assert.equal(q.total + q.freight, q.grand_total);
        assert.equal(q.grand_total_cny, q.grand_total);
        assert.equal(sum(q.rates, 'net'), q.net);
        assert.equal(sum(q.rates, 'tax'), q.tax);
        for (const l of q.lines) assert.equal(l.net + l.tax, l.total);
      }
    });

    it('a currency is written at the rate kept by the administrator or entered on the document; none is refused', async () => {
      const before = count();
      sql(srv, "DELETE FROM currency_rates WHERE currency = 'EUR'");
      let r = await zhang.post('/api/v1/quotations', { customer_id: cust.id, currency: 'EUR', lines: [line(prodA, 1000)] });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'currency');
      assert.equal(r.body.errors[0].code, 'no_rate');
      assert.equal(count(), before);
      assertProblem(assert, await zhang.put('/api/v1/currency-rates/EUR', { rate_micro: 8000000 }), 403);
      r = await admin.put('/api/v1/currency-rates/EUR', { rate_micro: 8000000 });
      assert.equal(r.status, 200, r.text);
      let q = await create(zhang, { customer_id: cust.id, currency: 'EUR', lines: [line(prodA, 8000)] });
      assert.equal(q.rate_micro, 8000000);
      // 100.00 yuan a kg at 8 yuan a euro, less the category rules of this file's first test
      assert.equal(q.lines[0].list_price, 1250);
      assert.equal(q.grand_total_cny, q.grand_total * 8);
      // entered on the document: kept on it, later table changes move nothing
      q = await create(zhang, { customer_id: cust.id, currency: 'USD', rate_micro: 7000000, lines: [line(prodA, 7000)] });
      assert.equal(q.rate_micro, 7000000);
      assert.equal(q.lines[0].list_price, 1429); // 10000 / 7, to the cent
      await admin.put('/api/v1/currency-rates/USD', { rate_micro: 9000000 });
      const again = (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
      assert.equal(again.rate_micro, 7000000);
      assert.equal(again.grand_total, q.grand_total);
      assertProblem(assert, await zhang.post('/api/v1/quotations', { customer_id: cust.id, currency: 'GBP', lines: [line(prodA, 1000)] }), 422);
      assertProblem(assert, await zhang.post('/api/v1/quotations', { customer_id: cust.id, rate_micro: 2000000, lines: [line(prodA, 1000)] }), 422);
    });

    it('who sees and changes a quotation: owner, managers, the customer owner, finance read-only', async () => {
      const q = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      const see = async (c) => (await c.get(`/api/v1/quotations/${q.id}`)).status;
      assert.equal(await see(zhang), 200);
      assert.equal(await see(li), 200); // zhang's team manager
      assert.equal(await see(wang), 200); // the sales director above
      assert.equal(await see(sun), 200); // finance: everything, read-only
      assert.equal(await see(chen), 404); // another salesperson
      assert.equal(await see(huang), 404); // another team's manager
      assert.equal((await zhou.get(`/api/v1/quotations/${q.id}`)).status, 403); // warehouse: no quotations
      assertProblem(assert, await zhou.get('/api/v1/quotations'), 403);
      const fin = (await sun.get(`/api/v1/quotations/${q.id}`)).body;
      assert.equal(fin.access, 'read');
      assert.deepEqual(fin.actions, []);
      assertProblem(assert, await sun.patch(`/api/v1/quotations/${q.id}`, { version: q.version, notes: 'x' }), 403);
      assertProblem(assert, await chen.patch(`/api/v1/quotations/${q.id}`, { version: q.version, notes: 'x' }), 404);
      const ids = async (c, qs = '') => (await c.get(`/api/v1/quotations?limit=500${qs}`)).body.items.map((x) => x.id);
      assert.ok((await ids(li)).includes(q.id));
      assert.ok((await ids(sun)).includes(q.id));
      assert.ok(!(await ids(chen)).includes(q.id));
      assert.ok(!(await ids(huang)).includes(q.id));
      // a quotation by the manager on zhang's customer: zhang, the customer's owner, reads it
      const m = await create(li, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      const zm = (await zhang.get(`/api/v1/quotations/${m.id}`)).body;
      assert.equal(zm.access, 'read');
      assert.ok((await ids(zhang)).includes(m.id));
      assertProblem(assert, await act(zhang, m, 'send'), 403);
      // filters
      const byOwner = (await zhang.get(`/api/v1/quotations?owner_id=${m.owner_id}&limit=500`)).body.items;
      assert.deepEqual(byOwner.map((x) => x.id), [m.id]);
      const byState = (await zhang.get(`/api/v1/quotations?customer_id=${cust.id}&state=accepted&limit=500`)).body.items;
      assert.ok(byState.length > 0 && byState.every((x) => x.state === 'accepted' && x.customer_id === cust.id));
      const byQ = (await zhang.get(`/api/v1/quotations?q=${encodeURIComponent(q.number)}`)).body.items;
      assert.deepEqual(byQ.map((x) => x.id), [q.id]);
      // keyset pages cover the list once, newest first
      const all = await ids(zhang);
      const seen = [];
      let cursor = '';
      for (;;) {
        const p = (await zhang.get(`/api/v1/quotations?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
        seen.push(...p.items.map((x) => x.id));
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
      }
      assert.deepEqual(seen, all);
      assertProblem(assert, await zhang.get('/api/v1/quotations?state=lost'), 400);
    });

    it('refuses bad input with a clear 4xx and writes nothing', async () => {
      const before = count();
      const bad = async (body, field, code) => {
        const r = await zhang.post('/api/v1/quotations', { customer_id: cust.id, ...body });
        assertProblem(assert, r, 422, 'validation_failed');
        if (field) assert.ok(r.body.errors.some((e) => e.field === field && (!code || e.code === code)), r.text);
      };
      await bad({ lines: [line(prodA, 0)] }, 'lines[0].qty_milli', 'out_of_range');
      await bad({ lines: [line(prodA, -5)] }, 'lines[0].qty_milli', 'out_of_range');
      await bad({ lines: [line(prodA, 1000000000000001)] }, 'lines[0].qty_milli', 'out_of_range');
      await bad({ lines: [line(prodA, 1000, { discount_bp: 10001 })] }, 'lines[0].discount_bp', 'out_of_range');
      await bad({ lines: [line(prodA, 1000, { discount_bp: -1 })] }, 'lines[0].discount_bp', 'out_of_range');
      await bad({ lines: [] }, 'lines');
      await bad({ lines: [{ product_id: 999999, qty_milli: 1000 }] }, 'lines[0].product_id', 'not_found');
      await bad({ lines: [line(prodA, 1000)], header_discount: 999999999 }, 'header_discount', 'out_of_range');
      await bad({ lines: [line(prodA, 1000)], valid_until: '2001-01-01' }, 'valid_until');
      await bad({ lines: [line(prodA, 1000)], valid_until: '2027-02-30' }, 'valid_until');
      await bad({ lines: [line(prodA, 1000)], freight: -1 }, 'freight');
      await bad({ lines: [{ product_id: prodA.id }] }, 'lines[0].qty_milli');
      await bad({ lines: [line(prodA, 1000, { price: 1 })] }, 'lines[0].price');
      // a price that overflows: the most expensive product in the largest quantity
      const dear = (await admin.post('/api/v1/products', {
        code: `DEAR-${uniq()}`, name: '天价 Dear', category_id: cat.id, unit: 'kg', list_price: 10000000000,
      })).body;
      await bad({ lines: [line(dear, 1000000000000)] }, 'lines[0].qty_milli', 'out_of_range');
      const other = (await chen.post('/api/v1/customers', { name: `别人的 Other ${uniq()}`, phone: phone() })).body;
      await bad({ customer_id: other.id, lines: [line(prodA, 1000)] }, 'customer_id', 'not_found');
      assertProblem(assert, await zhang.post('/api/v1/quotations', { lines: [line(prodA, 1000)] }), 422);
      assertProblem(assert, await zhang.post('/api/v1/quotations', '{"lines": ['), 400);
      assert.equal(count(), before);
      // a product retired after being quoted: the quotation stays readable, a new line or version is refused
      const old = (await admin.post('/api/v1/products', {
        code: `OLD-${uniq()}`, name: '停产 Retired', category_id: cat.id, unit: 'kg', list_price: 5000,
      })).body;
      let q = await create(zhang, { customer_id: cust.id, lines: [line(old, 1000), line(prodB, 1000)] });
      q = (await act(zhang, q, 'send')).body;
      const ret = await admin.patch(`/api/v1/products/${old.id}`, { version: old.version, active: false });
      assert.equal(ret.status, 200, ret.text);
      const still = await zhang.get(`/api/v1/quotations/${q.id}`);
      assert.equal(still.status, 200);
      assert.equal(still.body.lines[0].product_id, old.id);
      await bad({ lines: [line(old, 1000)] }, 'lines[0].product_id', 'retired');
      const rv = await act(zhang, q, 'revise');
      assertProblem(assert, rv, 422, 'validation_failed');
      assert.equal(rv.body.errors[0].field, 'lines[0].product_id');
      const after1 = (await zhang.get(`/api/v1/quotations/${q.id}`)).body;
      assert.equal(after1.revision, 1);
      assert.equal(after1.state, 'sent');
      assert.equal(after1.version, q.version);
      // an edit with bad lines changes nothing
      const d = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      assertProblem(assert, await zhang.patch(`/api/v1/quotations/${d.id}`, { version: d.version, lines: [line(prodB, 0)] }), 422);
      const d2 = (await zhang.get(`/api/v1/quotations/${d.id}`)).body;
      assert.equal(d2.version, d.version);
      assert.deepEqual(d2.lines, d.lines);
    });

    it('a quotation from a project brings its customer and its products', async () => {
      const pr = await zhang.post('/api/v1/projects', {
        name: `报价项目 Quote project ${uniq()}`, customer_id: cust.id,
        products: [{ name: prodA.code, quantity_milli: 3000000 }, { name: prodB.name, quantity_milli: 150000 },
                   { name: '不存在的线 No such wire', quantity_milli: 1000 }],
      });
      assert.equal(pr.status, 201, pr.text);
      const pv = await zhang.post('/api/v1/quotations/preview', { project_id: pr.body.id });
      assert.equal(pv.status, 200, pv.text);
      assert.equal(pv.body.customer_id, cust.id);
      assert.deepEqual(pv.body.lines.map((l) => [l.product_id, l.qty_milli]), [[prodA.id, 3000000], [prodB.id, 150000]]);
      assert.equal(pv.body.unmatched_products.length, 1);
      const q = await create(zhang, { project_id: pr.body.id });
      assert.equal(q.project_id, pr.body.id);
      assert.equal(q.customer_id, cust.id);
      assert.equal(q.lines.length, 2);
      const list = (await zhang.get(`/api/v1/quotations?project_id=${pr.body.id}`)).body.items;
      assert.deepEqual(list.map((x) => x.id), [q.id]);
      const other = (await chen.post('/api/v1/customers', { name: `别人的 Other ${uniq()}`, phone: phone() })).body;
      assertProblem(assert, await zhang.post('/api/v1/quotations', { project_id: pr.body.id, customer_id: other.id }), 422);
    });
  });
}
