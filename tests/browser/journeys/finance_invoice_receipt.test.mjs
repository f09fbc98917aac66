// finance_invoice_receipt.test.mjs — finance (sun) invoices and receives a
// payment in one step in a real Chromium against the demo company
// (TF_BASE_URL; tests/one.sh starts one): she finds an effective contract
// of the demo in the contract list, opens its money tab, clicks "Invoice and
// receive", fills the invoice and the receipt, confirms, and sees the new
// invoice, the receipt linked to it and the lower amount due; the contract
// is now being fulfilled. Then she opens the finance page and sees the
// ageing buckets the demo's overdue instalments fill, and a customer's
// contracts from its row.
//   tests/one.sh [--pg] tests/browser/journeys/finance_invoice_receipt.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, signInPage, navigate, apiCall } from '../lib.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const input = (scope, field) => scope.locator(`input[data-field="${field}"], [data-field="${field}"] input`).first()
const yuan = (fen) => `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`

test('finance invoices and receives in one step on an effective contract, then reads the ageing', async () => {
  const sun = await signInPage(browser, 'sun')
  // which demo contract is effective and owes enough (reading, not doing)
  let list = await apiCall(sun, 'GET', '/contracts?state=effective')
  if (!list.body.items.length) list = await apiCall(sun, 'GET', '/contracts?state=fulfilling')
  const k0 = list.body.items.find((x) => x.grand_total - x.received > 200000) || list.body.items[0]
  assert.ok(k0, 'the demo has an open contract')
  const before = (await apiCall(sun, 'GET', `/contracts/${k0.id}`)).body
  const dueBefore = before.due
  assert.ok(dueBefore > 100000, JSON.stringify(before))

  // the contract list: search by number, open it
  await navigate(sun, 'contracts')
  await input(sun, 'q').fill(before.number)
  await sun.locator('[data-table="contracts"] .el-table__body tr', { hasText: before.number }).click()
  const detail = sun.locator('[data-page="contract-detail"]')
  await detail.waitFor()
  await detail.locator('#tab-money').click()
  const money = detail.locator('[data-section="contract-money"]')
  await money.locator('[data-field="due"]', { hasText: yuan(dueBefore) }).waitFor()

  // Invoice and receive: one dialog, one request
  await money.locator('[data-action="invoice-and-receive"]').click()
  const dlg = sun.locator('[data-dialog="money"]')
  await dlg.waitFor()
  const inv = dlg.locator('[data-part="invoice"]')
  const rec = dlg.locator('[data-part="receipt"]')
  await input(inv, 'invoice-amount').fill('1000')
  await input(inv, 'invoice-note').fill('第一笔 First payment')
  // the receipt's amount follows the invoice's
  assert.equal(await input(rec, 'receipt-amount').inputValue(), '1000')
  await rec.locator('[data-field="receipt-method"]').click()
  await sun.locator('.el-select-dropdown__item:visible', { hasText: 'Acceptance bill' }).click()
  await input(rec, 'receipt-bank-ref').fill('ICBC-JOURNEY-1')
  const sent = sun.waitForRequest((r) => r.url().endsWith(`/contracts/${k0.id}/invoice-and-receipt`) && r.method() === 'POST')
  await dlg.locator('[data-action="confirm-money"]').click()
  await sent
  await sun.locator('.el-message', { hasText: 'issued and receipt' }).first().waitFor()
  await dlg.waitFor({ state: 'hidden' })

  // the invoice, the receipt linked to it, the new amount due
  const invRow = money.locator('[data-table="invoices"] .el-table__body tr', { hasText: '¥1,000.00' })
  await invRow.waitFor()
  const invNo = (await invRow.locator('td').first().innerText()).trim()
  assert.match(invNo, /^FP-\d{6}-\d{5}$/)
  assert.match(await invRow.innerText(), /VAT special/)
  const recRow = money.locator('[data-table="receipts"] .el-table__body tr', { hasText: 'ICBC-JOURNEY-1' })
  await recRow.waitFor()
  const recText = await recRow.innerText()
  assert.match(recText, /SK-\d{6}-\d{5}/)
  assert.match(recText, /Acceptance bill/)
  assert.match(recText, /¥1,000\.00/)
  assert.ok(recText.includes(invNo), 'the receipt names its invoice')
  await money.locator('[data-field="due"]', { hasText: yuan(dueBefore - 100000) }).waitFor()
  await detail.locator('[data-field="state"]', { hasText: 'Being fulfilled' }).waitFor()

  // the finance page: the ageing buckets, then one customer's contracts
  await navigate(sun, 'finance')
  const page = sun.locator('[data-page="finance"]')
  const totals = page.locator('[data-section="ageing-totals"]').first()
  await totals.waitFor()
  for (const [b, label] of [['not_due', 'Not yet due'], ['d0_30', '0–30 days'], ['d31_60', '31–60 days'], ['d61_90', '61–90 days'], ['d90_plus', 'Over 90 days']]) {
    const cell = totals.locator(`[data-bucket="${b}"]`)
    assert.match(await cell.innerText(), new RegExp(label))
    if (b !== 'not_due') assert.doesNotMatch(await cell.innerText(), /¥0\.00/, `the demo has money ${label} overdue`)
  }
  const rows = page.locator('[data-table="ageing"] .el-table__body tr')
  assert.ok((await rows.count()) >= 2)
  const first = (await rows.first().locator('td').first().innerText()).trim()
  await rows.first().click()
  await page.locator('[data-field="customer-filter"]', { hasText: first }).waitFor()
  await page.locator('[data-table="receivables-contracts"] .el-table__body tr').first().waitFor()
  assert.deepEqual(sun.problems, [])
})
