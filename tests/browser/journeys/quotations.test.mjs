// quotations.test.mjs — a salesperson quotes from a project in a real
// Chromium against the demo company (TF_BASE_URL; tests/one.sh starts one):
// the salesperson enters the project picking its product from the catalogue;
// the project's product comes along as a line priced with the customer's
// tier discount (the rule named), a hand discount beyond the salesperson's
// limit is flagged and the quotation submitted; the manager approves it in
// the approvals inbox; the salesperson sends it and downloads it as XLSX,
// DOCX and PDF (zip files, a PDF whose text holds the total).
//   tests/one.sh tests/browser/journeys/quotations.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, newPage, login, navigate, BASE_URL, apiCall } from '../lib.mjs'

const PASSWORD = process.env.TF_DEMO_PASSWORD || 'demo123'
const tag = `QT${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function signedIn(who, opts) {
  const page = await newPage(browser, opts)
  await login(page, { login: who, password: PASSWORD })
  return page
}

/** fetch inside the page (cookie and CSRF header): setup and outcome checks. */

test('a salesperson quotes from a project with the tier discount, the manager approves the larger discount, the quotation is sent and downloaded', async () => {
  const admin = await signedIn('admin')
  const zhang = await signedIn('zhang')
  const li = await signedIn('li')
  // setup: a product, a tier with its rule, zhang's customer in that tier, a project naming the product
  const prod = await apiCall(admin, 'POST', '/products', { code: `${tag}-CU`, name: `旅程铜扁线 Journey copper ${tag}`, unit: 'kg', list_price: 10000 })
  assert.equal(prod.status, 201, JSON.stringify(prod.body))
  const tier = await apiCall(admin, 'POST', '/customer-tiers', { name: `旅程金牌 Journey gold ${tag}` })
  assert.equal(tier.status, 201)
  const rule = await apiCall(admin, 'POST', '/price-rules', { name: `金牌九七折 Gold 3% ${tag}`, tier_id: tier.body.id, product_id: prod.body.id, discount_bp: 300 })
  assert.equal(rule.status, 201)
  const cust = await apiCall(zhang, 'POST', '/customers', { name: `旅程报价客户 Journey quote ${tag}`, phone: `135${String(Date.now()).slice(-8)}` })
  assert.equal(cust.status, 201, JSON.stringify(cust.body))
  assert.equal((await apiCall(admin, 'PUT', `/customers/${cust.body.id}/tier`, { tier_id: tier.body.id })).status, 200)

  // zhang enters the project for the customer, picking its product from the catalogue
  await zhang.goto(`${BASE_URL}/#/projects/new?customer_id=${cust.body.id}`)
  await zhang.locator('[data-page="project-new"]').waitFor()
  await zhang.locator('[data-test="p-customer"]', { hasText: `Journey quote ${tag}` }).waitFor()
  await zhang.locator('[data-test="p-name"] input, input[data-test="p-name"]').first().fill(`旅程报价项目 Journey project ${tag}`)
  await zhang.locator('[data-action="add-product"]').click()
  const pline = zhang.locator('[data-product="0"]')
  await pline.locator('[data-field="product"]').click()
  await zhang.keyboard.type(`${tag}-CU`)
  await zhang.locator('.el-select-dropdown__item:visible', { hasText: `Journey copper ${tag}` }).click()
  await pline.locator('.p-unit', { hasText: 'kg' }).waitFor()
  await pline.locator('.p-qty input').fill('2000')
  await zhang.locator('[data-action="save-project"]').click()
  const pdetail = zhang.locator('[data-page="project-detail"]')
  await pdetail.locator('[data-field="product-code"]', { hasText: `${tag}-CU` }).waitFor()
  const projId = Number(/#\/projects\/(\d+)/.exec(zhang.url())[1])
  const proj = await apiCall(zhang, 'GET', `/projects/${projId}`)
  assert.equal(proj.body.products[0].product_id, prod.body.id)
  assert.equal(proj.body.products[0].quantity_milli, 2000000)

  // zhang: from the project, Quote
  await pdetail.locator('[data-action="quote"]').click()
  const form = zhang.locator('[data-page="quotation-form"]')
  await form.waitFor()
  await form.locator('[data-field="tier"]', { hasText: `Journey gold ${tag}` }).waitFor()
  const line = form.locator('[data-line="0"]')
  await line.locator('[data-field="rule"]', { hasText: `Gold 3% ${tag}` }).waitFor()
  assert.equal(await line.locator('[data-field="unit-price"]').innerText(), '¥97.00')
  assert.equal(await line.locator('[data-field="qty"]').inputValue(), '2000')
  assert.match(await form.locator('[data-field="tier"]').innerText(), /discount limit is 5%/)
  // a hand discount beyond the limit
  await line.locator('[data-field="discount"]').fill('8')
  await form.locator('[data-field="over-limit"]', { hasText: 'A discount of 8% is beyond the limit of 5%' }).waitFor()
  const total = await form.locator('[data-field="grand-total"]').innerText()
  assert.equal(total, '¥178,480.00') // 2,000 kg × ¥97.00 less 8 %
  await form.locator('[data-field="payment_terms"]').fill('月结 30 天')
  await form.locator('[data-action="save-quotation"]').click()
  const detail = zhang.locator('[data-page="quotation-detail"]')
  await detail.waitFor()
  await detail.locator('[data-field="state"]', { hasText: 'Draft' }).waitFor()
  assert.equal(await detail.locator('[data-action="send"]').count(), 0, 'not sent before approval')
  const number = (await detail.locator('h1').innerText()).match(/BJ-\S+/)[0]
  await detail.locator('[data-action="submit"]').click()
  await detail.locator('[data-field="state"]', { hasText: 'In approval' }).waitFor()
  await detail.locator('[data-field="approval"]', { hasText: 'Waiting for approval' }).waitFor()

  // li, zhang's manager, approves in the approvals inbox
  await navigate(li, 'approvals')
  const row = li.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: number })
  await row.first().click()
  const drawer = li.locator('.approval-drawer')
  await drawer.locator('.head h3', { hasText: number }).waitFor()
  await drawer.locator('[data-action="approve"]').click()
  await drawer.locator('.head .el-tag', { hasText: 'Approved' }).waitFor()

  // zhang sends it
  await zhang.reload()
  await detail.locator('[data-field="state"]', { hasText: 'Approved' }).waitFor()
  await detail.locator('[data-action="send"]').click()
  await detail.locator('[data-field="state"]', { hasText: 'Sent' }).waitFor()
  assert.equal(await detail.locator('[data-field="grand-total"]').innerText(), '¥178,480.00')

  // downloads: XLSX and DOCX are zip files, the PDF starts with %PDF and holds the total
  const dir = mkdtempSync(join(process.env.TF_TMP || tmpdir(), 'tf-quote-'))
  try {
    for (const fmt of ['xlsx', 'docx', 'pdf']) {
      const [dl] = await Promise.all([zhang.waitForEvent('download'), detail.locator(`[data-download="${fmt}"]`).click()])
      const path = join(dir, `q.${fmt}`)
      await dl.saveAs(path)
      const bytes = readFileSync(path)
      assert.ok(dl.suggestedFilename().startsWith(number), dl.suggestedFilename())
      if (fmt === 'pdf') {
        assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF')
        const text = execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' })
        assert.match(text, /178,480\.00/)
      } else {
        assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', `${fmt} is a zip file`)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // the outcome as the server has it
  const list = await apiCall(zhang, 'GET', `/quotations?project_id=${proj.body.id}`)
  assert.equal(list.body.items.length, 1)
  assert.equal(list.body.items[0].state, 'sent')
})
