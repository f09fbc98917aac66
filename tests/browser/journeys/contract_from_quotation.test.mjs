// contract_from_quotation.test.mjs — a salesperson turns an accepted
// quotation into a contract in a real Chromium against the demo company
// (TF_BASE_URL; tests/one.sh starts one): Make contract on the quotation
// opens the entry form with the quotation's lines, prices and terms; saved
// and submitted, the contract waits at the manager, who approves it in the
// approvals inbox, then at finance, who approves it too; the salesperson
// sees it effective, with its figures, in the list and on the customer.
//   tests/one.sh [--pg] tests/browser/journeys/contract_from_quotation.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, signInPage, navigate, apiCall } from '../lib.mjs'

const tag = `CT${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** The approver opens the request in the approvals inbox and approves it. */
async function approveInInbox(page, number) {
  await navigate(page, 'approvals')
  const row = page.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: number })
  await row.first().click()
  const drawer = page.locator('.approval-drawer')
  await drawer.locator('.head h3', { hasText: number }).waitFor()
  await drawer.locator('[data-action="approve"]').click()
  await page.locator('.el-message', { hasText: 'Request approved' }).first().waitFor()
}

test('a salesperson makes a contract from an accepted quotation; the manager and finance approve it; it is effective', async () => {
  const admin = await signInPage(browser, 'admin')
  const zhang = await signInPage(browser, 'zhang')
  const li = await signInPage(browser, 'li')
  const sun = await signInPage(browser, 'sun')
  // setup: a product, zhang's customer and a quotation the customer accepted
  const prod = await apiCall(admin, 'POST', '/products', { code: `${tag}-AL`, name: `旅程铝扁线 Journey aluminium ${tag}`, unit: 'kg', list_price: 5000 })
  assert.equal(prod.status, 201, JSON.stringify(prod.body))
  const cust = await apiCall(zhang, 'POST', '/customers', { name: `旅程合同客户 Journey contract ${tag}`, phone: `134${String(Date.now()).slice(-8)}` })
  assert.equal(cust.status, 201, JSON.stringify(cust.body))
  let q = await apiCall(zhang, 'POST', '/quotations', {
    customer_id: cust.body.id, payment_terms: '月结 30 天 30 days net', lines: [{ product_id: prod.body.id, qty_milli: 1200000 }],
  })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  q = await apiCall(zhang, 'POST', `/quotations/${q.body.id}/send`, { version: q.body.version })
  q = await apiCall(zhang, 'POST', `/quotations/${q.body.id}/accept`, { version: q.body.version })
  assert.equal(q.body.state, 'accepted')

  // zhang opens the accepted quotation and makes its contract
  await navigate(zhang, 'quotations')
  await zhang.locator('input[data-field="q"], [data-field="q"] input').first().fill(cust.body.name.slice(-12))
  const rows = zhang.locator('[data-table="quotations"] .el-table__body tr')
  for (let i = 0; i < 50 && (await rows.count()) !== 1; i++) await zhang.waitForTimeout(100)
  await rows.filter({ hasText: q.body.number }).click()
  const qd = zhang.locator('[data-page="quotation-detail"]')
  await qd.locator('[data-field="state"]', { hasText: 'Accepted' }).waitFor()
  await qd.locator('[data-action="make-contract"]').click()
  const form = zhang.locator('[data-page="contract-form"]')
  await form.waitFor()
  await form.locator('.page-head', { hasText: `From quotation ${q.body.number}` }).first().waitFor()
  const line = form.locator('[data-line="0"]')
  assert.equal(await line.locator('input[data-field="qty"], [data-field="qty"] input').first().inputValue(), '1200')
  assert.equal(await line.locator('input[data-field="price"], [data-field="price"] input').first().inputValue(), '50.00')
  assert.equal(await form.locator('input[data-field="payment_terms"], [data-field="payment_terms"] input').first().inputValue(), '月结 30 天 30 days net')
  await form.locator('[data-field="grand-total"]', { hasText: '¥60,000.00' }).waitFor()
  await form.locator('input[data-field="title"], [data-field="title"] input').first().fill(`年度铝线 Annual aluminium ${tag}`)
  await form.locator('[data-action="save-contract"]').click()

  const detail = zhang.locator('[data-page="contract-detail"]')
  await detail.locator('[data-field="state"]', { hasText: 'Draft' }).waitFor()
  const number = (await detail.locator('h1').innerText()).match(/HT-\S+/)[0]
  assert.equal(await detail.locator('[data-field="grand-total"]').innerText(), '¥60,000.00')
  assert.match(await detail.locator('[data-figure="due"]').innerText(), /60,000\.00/)
  await detail.locator('[data-action="submit"]').click()
  await detail.locator('[data-field="state"]', { hasText: 'In approval' }).waitFor()
  await detail.locator('[data-field="approval"]', { hasText: 'waiting' }).waitFor()
  assert.equal(await detail.locator('[data-action="edit"]').count(), 0, 'no edit in approval')

  // li, zhang's manager, approves; then finance (sun)
  await approveInInbox(li, number)
  await approveInInbox(sun, number)

  // zhang sees it effective, with nothing received yet and everything due
  await zhang.reload()
  await detail.locator('[data-field="state"]', { hasText: 'Effective' }).waitFor()
  await detail.locator('[data-field="approval"]', { hasText: 'approved' }).waitFor()
  assert.match(await detail.locator('[data-figure="received"]').innerText(), /¥0\.00/)
  assert.ok(await detail.locator('[data-action="amend"]').isVisible())
  assert.ok(await detail.locator('[data-action="terminate"]').isVisible())
  // the list shows it effective
  await navigate(zhang, 'contracts')
  await zhang.locator('input[data-field="q"], [data-field="q"] input').first().fill(number)
  await zhang.locator('[data-table="contracts"] .el-table__body tr', { hasText: number }).filter({ hasText: 'Effective' }).waitFor()
  // the customer's page: the contracts tab with the receivable
  await zhang.goto(zhang.url().replace(/#.*$/, `#/customers/${cust.body.id}?tab=contracts`))
  const tab = zhang.locator('[data-test="customer-contracts"]')
  await tab.locator('[data-field="receivable"]', { hasText: '¥60,000.00' }).waitFor()
  assert.ok(await tab.locator('tr', { hasText: number }).isVisible())

  const k = await apiCall(zhang, 'GET', `/contracts?q=${encodeURIComponent(number)}`)
  assert.equal(k.body.items[0].state, 'effective')
  for (const p of [admin, zhang, li, sun]) assert.deepEqual(p.problems, [])
})
