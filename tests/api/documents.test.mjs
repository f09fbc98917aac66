// documents.test.mjs — printable documents and their templates on every
// engine: only administrators reach the templates; a 200-line sample
// quotation with Chinese names as PDF (pdftotext reads the customer, the
// company from the company profile, the total and its Chinese capitals, and
// the line table's header on every page), as DOCX (LibreOffice Writer
// converts it to text with the same) and as XLSX (LibreOffice Calc reads it
// back); a Word template whose placeholders Word split over several runs is
// accepted and used, downloaded back as it was, and reset; templates with a
// broken or unknown placeholder, a layout that is not one and a file that is
// no DOCX are refused with a 422 naming the problem, and change nothing; a
// replaced PDF layout shows in the PDF; the company logo goes into the DOCX.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { makeZip } from '../fixtures/io-helpers.mjs';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A request whose reply is kept as bytes. */
async function bytes(c, method, path, body, type) {
  const h = { Cookie: c.cookie, 'X-CSRF-Token': c.csrf };
  if (type) h['Content-Type'] = type;
  const r = await fetch(c.base + path, { method, headers: h, body });
  return { status: r.status, headers: r.headers, buf: Buffer.from(await r.arrayBuffer()) };
}

function tmp() { return mkdtempSync(join(process.env.TF_TMP || tmpdir(), 'tf-doc-')); }

function pdfText(buf) {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'a.pdf'), buf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
    const info = execFileSync('pdfinfo', [join(dir, 'a.pdf')], { encoding: 'utf8' });
    return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)[1]) };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** LibreOffice converts the file; returns the converted bytes. */
function office(buf, name, to) {
  const dir = tmp();
  try {
    writeFileSync(join(dir, name), buf);
    execFileSync('soffice', [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--norestore',
      '--convert-to', to, '--outdir', join(dir, 'out'), join(dir, name)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 180000 });
    const out = readdirSync(join(dir, 'out'));
    assert.equal(out.length, 1, `LibreOffice converted ${name}`);
    return readFileSync(join(dir, 'out', out[0]));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The sample model's figures, computed as the server's sample does. */
function sampleTotals(n) {
  let amount = 0n, tax = 0n;
  for (let i = 0; i < n; i++) {
    const qty = BigInt(10 + (i % 37)), price = BigInt(1250 + ((i * 733) % 90000));
    const am = qty * price;
    amount += am;
    tax += (am * 13n + 50n) / 100n;
  }
  const fmt = (fen) => {
    const s = (fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${s}.${(fen % 100n).toString().padStart(2, '0')}`;
  };
  return { total: fmt(amount + tax), tax: fmt(tax) };
}

/** A DOCX of the given body paragraphs (WordprocessingML), as Word would zip it. */
function docx(body) {
  return makeZip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/_rels/document.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>',
    'word/document.xml': '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' +
      `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>${body}</w:body></w:document>`,
  });
}

// What Word writes when a placeholder is typed in two goes and spell-checked.
const SPLIT = '<w:p><w:r><w:t>自定义模板 {{cust</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t>omer.name}}</w:t></w:r></w:p>' +
  '<w:p><w:r><w:t>{{company.logo}}</w:t></w:r></w:p>' +
  '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{li</w:t></w:r><w:r><w:t>ne.code}}</w:t></w:r></w:p></w:tc>' +
  '<w:tc><w:p><w:r><w:t>{{line.name}}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{{line.total}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>' +
  '<w:p><w:r><w:t>合计 {{totals.total}} {{totals.total_chinese}}</w:t></w:r></w:p>';

// A 2x2 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP4z8DwnwEIGBgYGBgYAAAhBQH/2x8m4QAAAABJRU5ErkJggg==', 'base64');

for (const engine of engines()) {
  describe(`documents [${engine}]`, () => {
    let srv, admin, zhang;
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang] = await Promise.all(['admin', 'zhang'].map((u) => srv.login(u)));
      const r = await admin.put('/api/v1/settings/company_profile',
        { name: '杭州天中线缆有限公司', address: '浙江省杭州市余杭区文一西路 1 号', phone: '0571-88886666', bank: '工商银行余杭支行', tax_no: '91330100MA2XXXXX0X' });
      assert.equal(r.status, 200, r.text);
    });
    after(async () => { await srv.stop(); });

    it('only administrators reach the templates', async () => {
      assertProblem(assert, await zhang.get('/api/v1/document-templates'), 403, 'forbidden');
      assert.equal((await bytes(zhang, 'POST', '/api/v1/document-templates/quotation/preview?format=pdf')).status, 403);
      assert.equal((await bytes(zhang, 'PUT', '/api/v1/document-templates/quotation/docx', docx(SPLIT), DOCX_TYPE)).status, 403);
      // a preview's line count is checked, not guessed
      for (const lines of ['abc', '-1', '1001', '9999999999999999999']) {
        const bad = await admin.post(`/api/v1/document-templates/quotation/preview?format=xlsx&lines=${lines}`)
        assert.ok(bad.status === 400 || bad.status === 422, `lines=${lines}: ${bad.status} ${bad.text}`)
      }
      const list = await admin.get('/api/v1/document-templates');
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.items.map((t) => `${t.kind}.${t.format}:${t.custom}`),
        ['quotation.docx:false', 'quotation.xlsx:false', 'quotation.pdf:false', 'contract.docx:false', 'contract.xlsx:false', 'contract.pdf:false']);
      assert.equal((await admin.get('/api/v1/document-templates/invoice/pdf')).status, 404);
      assert.equal((await admin.get('/api/v1/document-templates/quotation/odt')).status, 404);
    });

    it('a 200-line quotation as PDF: Chinese text, the totals in figures and capitals, the header on every page', async () => {
      const r = await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=pdf&lines=200');
      assert.equal(r.status, 200, r.buf.toString());
      assert.equal(r.headers.get('content-type'), 'application/pdf');
      const { text, pages } = pdfText(r.buf);
      const { total } = sampleTotals(200);
      assert.ok(text.includes('报价单'));
      assert.ok(text.includes('苏州华阳电线电缆有限公司'), 'the customer');
      assert.ok(text.includes('杭州天中线缆有限公司'), 'the company from the company profile');
      assert.ok(text.includes('工商银行余杭支行'));
      assert.ok(text.includes(`CNY ${total}`), `the total ${total}`);
      assert.match(text, /大写金额: [零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+/, 'the total in Chinese capitals');
      assert.equal((text.match(/铜芯聚氯乙烯绝缘电缆/g) || []).length, 40, 'the longest name on one line in its cell');
      assert.equal((text.match(/阻燃耐火电力电缆/g) || []).length, 40, 'every line (each fifth is this product)');
      assert.ok(pages > 2, `a long document (${pages} pages)`);
      assert.equal((text.match(/规格型号/g) || []).length, pages, 'the line header repeated on every page');
      assert.ok(text.includes('预付30%，货到付清余款。'), 'the terms');
    });

    it('the DOCX and the XLSX open in LibreOffice with the same lines and totals', async (t) => {
      if (engine !== 'sqlite') { t.skip('the files do not depend on the engine'); return; }
      const { total } = sampleTotals(200);
      const d = await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=docx&lines=200&lang=en');
      assert.equal(d.status, 200);
      assert.equal(d.headers.get('content-type'), DOCX_TYPE);
      const text = office(d.buf, 'q.docx', 'txt:Text').toString('utf8');
      assert.ok(text.includes('Quotation'));
      assert.ok(text.includes('苏州华阳电线电缆有限公司'));
      assert.ok(text.includes(`CNY ${total}`), `the total ${total}`);
      assert.equal((text.match(/阻燃耐火电力电缆/g) || []).length, 40);
      assert.ok(text.includes('Total in Chinese capitals: ') && /[壹贰叁肆伍陆柒捌玖]/.test(text));
      const x = await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=xlsx&lines=200');
      assert.equal(x.status, 200);
      const csv = office(x.buf, 'q.xlsx', 'csv:Text - txt - csv (StarCalc):44,34,76,1').toString('utf8');
      assert.ok(csv.includes('苏州华阳电线电缆有限公司'));
      assert.ok(csv.includes(total));
      assert.equal((csv.match(/阻燃耐火电力电缆/g) || []).length, 40);
    });

    it("a Word template with placeholders split over runs is used, downloaded as it was, and reset", async () => {
      const tpl = docx(SPLIT);
      const up = await bytes(admin, 'PUT', '/api/v1/document-templates/quotation/docx?filename=%E6%8A%A5%E4%BB%B7.docx', tpl, DOCX_TYPE);
      assert.equal(up.status, 200, up.buf.toString());
      assert.equal(JSON.parse(up.buf).custom, true);
      const list = await admin.get('/api/v1/document-templates');
      assert.equal(list.body.items.find((i) => i.kind === 'quotation' && i.format === 'docx').filename, '报价.docx');
      const back = await bytes(admin, 'GET', '/api/v1/document-templates/quotation/docx');
      assert.ok(back.buf.equals(tpl), 'the stored template is the uploaded file');
      const logo = await bytes(admin, 'PUT', '/api/v1/company-logo', PNG, 'image/png');
      assert.equal(logo.status, 200, logo.buf.toString());
      const d = await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=docx&lines=5');
      assert.equal(d.status, 200, d.buf.toString());
      assert.ok(d.buf.includes('word/media/tf_logo.png'), 'the logo is in the package');
      if (engine === 'sqlite') {
        const text = office(d.buf, 'c.docx', 'txt:Text').toString('utf8');
        assert.ok(text.includes('自定义模板 苏州华阳电线电缆有限公司'), text);
        assert.equal((text.match(/DL-000\d/g) || []).length, 5, 'the row repeated per line');
        assert.ok(!text.includes('{{'));
      }
      assert.equal((await admin.delete('/api/v1/document-templates/quotation/docx')).status, 204);
      assert.equal((await admin.delete('/api/v1/company-logo')).status, 204);
      const again = await bytes(admin, 'GET', '/api/v1/document-templates/quotation/docx');
      assert.ok(!again.buf.equals(tpl) && again.buf.includes('word/document.xml'), 'the built-in one again');
    });

    it('bad templates are refused with a 422 naming the problem, and change nothing', async () => {
      const cases = [
        ['docx', docx('<w:p><w:r><w:t>{{customer.nmae}}</w:t></w:r></w:p>'), DOCX_TYPE, '{{customer.nmae}}'],
        ['docx', docx('<w:p><w:r><w:t>{{customer.name</w:t></w:r></w:p>'), DOCX_TYPE, 'broken placeholder'],
        ['docx', Buffer.from('not a zip at all'), DOCX_TYPE, 'not a Word document'],
        ['pdf', Buffer.from('{"blocks":[{"type":"text","text":"{{totals.totl}}"}]}'), 'application/json', 'blocks[0].text: unknown placeholder {{totals.totl}}'],
        ['xlsx', Buffer.from('{"blocks":[{"type":"lines","columns":[{"value":"{{line.qty"}]}]}'), 'application/json', 'blocks[0].columns[0].value: broken placeholder'],
        ['pdf', Buffer.from('{"blocks":'), 'application/json', 'not JSON'],
      ];
      for (const [format, body, type, needle] of cases) {
        const r = await bytes(admin, 'PUT', `/api/v1/document-templates/quotation/${format}`, body, type);
        assert.equal(r.status, 422, r.buf.toString());
        const p = JSON.parse(r.buf);
        assert.equal(p.code, 'validation_failed');
        assert.equal(p.errors[0].field, 'file');
        assert.ok(p.errors[0].message.includes(needle), `${p.errors[0].message} names ${needle}`);
      }
      const notPng = await bytes(admin, 'PUT', '/api/v1/company-logo', Buffer.from('GIF89a....'), 'image/png');
      assert.equal(notPng.status, 422);
      const list = await admin.get('/api/v1/document-templates');
      assert.ok(list.body.items.every((i) => !i.custom) && list.body.logo === null, 'nothing stored');
    });

    it('a replaced PDF layout shows in the PDF, and the reset brings the built-in one back', async () => {
      const layout = JSON.stringify({ blocks: [
        { type: 'text', text: '报价专用章 {{number}}', style: 'title' },
        { type: 'lines', columns: [{ header: '{{labels.name}}', value: '{{line.name}}', width: 30 }, { header: '金额', value: '{{line.total}}', align: 'right' }] },
        { type: 'text', text: '合计 {{totals.total}}' },
      ] });
      const up = await bytes(admin, 'PUT', '/api/v1/document-templates/quotation/pdf', Buffer.from(layout), 'application/json');
      assert.equal(up.status, 200, up.buf.toString());
      const r = await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=pdf&lines=3');
      const { text } = pdfText(r.buf);
      assert.ok(text.includes('报价专用章 BJ-202612-0001'));
      assert.ok(text.includes(`合计 ${sampleTotals(3).total}`));
      assert.ok(!text.includes('苏州华阳电线电缆有限公司'), 'only what the layout names');
      assert.equal((await admin.delete('/api/v1/document-templates/quotation/pdf')).status, 204);
      const b = pdfText((await bytes(admin, 'POST', '/api/v1/document-templates/quotation/preview?format=pdf&lines=3')).buf);
      assert.ok(b.text.includes('苏州华阳电线电缆有限公司'));
    });
  });
}
