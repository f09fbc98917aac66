// contract_road.test.mjs — one contract the whole way, each step by clicks
// and typing in the page of the user whose work it is, in a real Chromium
// against the demo company (TF_BASE_URL; tests/one.sh starts one): the
// salesperson (zhang) makes a contract from the quotation their customer
// accepted and submits it; the manager (li) approves it in the approvals
// inbox, where the request links to the contract; finance (sun) approves,
// then invoices and receives the whole amount in one step; the warehouse
// (zhou) delivers part of it; zhang returns part of what was delivered with
// a reason and a refund; li approves the return (its request links to the
// contract's goods), then zhou the warehouse's step; zhang sees the return
// approved, the refund and the returned quantity on the contract.
//   tests/one.sh [--pg] tests/browser/journeys/contract_road.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, signInPage, navigate, apiCall } from '../lib.mjs'

const tag = `RD${Date.now().toString(36)}`
let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** Waits until the list `table` shows one row, the one with `text` (the search has answered). */
const onlyRow = (page, table, text) => page.waitForFunction(([t, x]) => {
  const rows = document.querySelectorAll(`[data-table="${t}"] .el-table__body tr`)
  return rows.length === 1 && rows[0].textContent.includes(x)
}, [table, text])
const input = (scope, field) => scope.locator(`input[data-field="${field}"], [data-field="${field}"] input, textarea[data-field="${field}"], [data-field="${field}"] textarea`).first()

/** The approver opens the request about `number` in the inbox, checks what it links to, and approves it. */
async function approveInInbox(page, number, href) {
  if (page.url().includes('#/approvals')) await page.reload() // the inbox again, not the list shown before
  await navigate(page, 'approvals')
  await page.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: number }).first().click()
  const drawer = page.locator('.approval-drawer')
  await drawer.locator('.head h3', { hasText: number }).waitFor()
  const link = drawer.locator('[data-test="approval-subject"]')
  await link.waitFor()
  assert.equal(await link.getAttribute('href'), href)
  await drawer.locator('[data-action="approve"]').click()
  await page.locator('.el-message', { hasText: 'Request approved' }).first().waitFor()
  await drawer.locator('[data-action="approve"]').waitFor({ state: 'detached' })
  await page.keyboard.press('Escape')
  await drawer.waitFor({ state: 'hidden' })
}

/** The goods tab of the contract page open in `page`, loaded. */
async function goodsTab(page) {
  const detail = page.locator('[data-page="contract-detail"]')
  await detail.waitFor()
  await detail.locator('#tab-goods').click()
  const sec = page.locator('[data-section="contract-goods"]')
  await sec.locator('[data-table="goods"]').waitFor()
  return sec
}

test('one contract from quotation to approval, money, delivery and an approved return with its refund', async () => {
  const admin = await signInPage(browser, 'admin')
  const [zhang, li, sun, zhou] = await Promise.all(['zhang', 'li', 'sun', 'zhou'].map((u) => signInPage(browser, u)))

  // setup (not the road itself): a product in stock at the main warehouse,
  // zhang's customer and the quotation the customer accepted
  const prod = await apiCall(admin, 'POST', '/products', { code: tag, name: `全程扁线 Road wire ${tag}`, unit: 'kg', list_price: 5000, standard_cost: 3000 })
  assert.equal(prod.status, 201, JSON.stringify(prod.body))
  const wh = (await apiCall(zhou, 'GET', '/warehouses')).body.items.find((w) => w.code === 'ZZ')
  const st = await apiCall(zhou, 'POST', '/stock-movements', { product_id: prod.body.id, warehouse_id: wh.id, qty_milli: 100000, cause: 'opening', reason: '期初 Opening' })
  assert.equal(st.status, 201, JSON.stringify(st.body))
  const cust = await apiCall(zhang, 'POST', '/customers', { name: `全程客户 Road customer ${tag}`, phone: `135${String(Date.now()).slice(-8)}` })
  assert.equal(cust.status, 201, JSON.stringify(cust.body))
  let q = await apiCall(zhang, 'POST', '/quotations', { customer_id: cust.body.id, lines: [{ product_id: prod.body.id, qty_milli: 20000 }] })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  q = await apiCall(zhang, 'POST', `/quotations/${q.body.id}/send`, { version: q.body.version })
  q = await apiCall(zhang, 'POST', `/quotations/${q.body.id}/accept`, { version: q.body.version })
  assert.equal(q.body.state, 'accepted')

  // 1. zhang: the accepted quotation -> Make contract -> save -> submit
  await navigate(zhang, 'quotations')
  await input(zhang, 'q').fill(tag)
  await onlyRow(zhang, 'quotations', q.body.number)
  await zhang.locator('[data-table="quotations"] .el-table__body tr', { hasText: q.body.number }).click()
  const qd = zhang.locator('[data-page="quotation-detail"]')
  await qd.locator('[data-field="state"]', { hasText: 'Accepted' }).waitFor()
  await qd.locator('[data-action="make-contract"]').click()
  const form = zhang.locator('[data-page="contract-form"]')
  await form.locator('.page-head', { hasText: `From quotation ${q.body.number}` }).first().waitFor()
  await form.locator('[data-field="grand-total"]', { hasText: '¥1,000.00' }).waitFor()
  await input(form, 'title').fill(`全程合同 Road contract ${tag}`)
  await form.locator('[data-action="save-contract"]').click()
  const detail = zhang.locator('[data-page="contract-detail"]')
  await detail.locator('[data-field="state"]', { hasText: 'Draft' }).waitFor()
  const number = (await detail.locator('h1').innerText()).match(/HT-\S+/)[0]
  const id = Number(zhang.url().match(/contracts\/(\d+)/)[1])
  await detail.locator('[data-action="submit"]').click()
  await detail.locator('[data-field="state"]', { hasText: 'In approval' }).waitFor()

  // 2. li, zhang's manager, approves in the inbox; the request links to the contract
  await approveInInbox(li, number, `#/contracts/${id}`)
  // 3. finance approves the last step
  await approveInInbox(sun, number, `#/contracts/${id}`)

  // 4. sun: the contract from the list, money tab, Invoice and receive the whole ¥1,000.00
  await navigate(sun, 'contracts')
  await input(sun, 'q').fill(number)
  await onlyRow(sun, 'contracts', number)
  await sun.locator('[data-table="contracts"] .el-table__body tr', { hasText: number }).filter({ hasText: 'Effective' }).click()
  const sd = sun.locator('[data-page="contract-detail"]')
  await sd.locator('[data-field="state"]', { hasText: 'Effective' }).waitFor()
  await sd.locator('#tab-money').click()
  const money = sd.locator('[data-section="contract-money"]')
  await money.locator('[data-field="due"]', { hasText: '¥1,000.00' }).waitFor()
  await money.locator('[data-action="invoice-and-receive"]').click()
  const mdl = sun.locator('[data-dialog="money"]')
  await mdl.waitFor()
  await input(mdl.locator('[data-part="invoice"]'), 'invoice-amount').fill('1000')
  const rec = mdl.locator('[data-part="receipt"]')
  assert.equal(await input(rec, 'receipt-amount').inputValue(), '1000')
  await input(rec, 'receipt-bank-ref').fill(`BANK-${tag}`)
  await mdl.locator('[data-action="confirm-money"]').click()
  await sun.locator('.el-message', { hasText: 'issued and receipt' }).first().waitFor()
  await mdl.waitFor({ state: 'hidden' })
  await money.locator('[data-table="receipts"] .el-table__body tr', { hasText: `BANK-${tag}` }).waitFor()
  await money.locator('[data-field="due"]', { hasText: '¥0.00' }).waitFor()
  await sd.locator('[data-field="state"]', { hasText: 'Being fulfilled' }).waitFor()

  // 5. zhou: Deliveries page -> the contract -> deliver 6 of the 20 kg from the main warehouse
  await navigate(zhou, 'deliveries')
  await zhou.locator('[data-table="awaiting"] .el-table__body tr', { hasText: number }).click()
  let sec = await goodsTab(zhou)
  const goodsRow = (s) => s.locator('[data-table="goods"] .el-table__body tr', { has: s.page().locator(`[data-product="${tag}"]`) })
  await sec.locator('[data-action="deliver"]').click()
  const dlg = zhou.locator('[data-dialog="deliver"]')
  await dlg.locator('[data-field="warehouse"]').click()
  await zhou.locator('.el-select-dropdown__item:visible', { hasText: 'ZZ' }).click()
  const line = dlg.locator(`[data-row="deliver-line"][data-product="${tag}"]`)
  await line.locator('[data-field="on-hand"]', { hasText: '100' }).waitFor()
  await input(line, 'qty').fill('6')
  await dlg.locator('[data-action="confirm-deliver"]').click()
  await dlg.waitFor({ state: 'hidden' })
  await goodsRow(sec).locator('[data-field="delivered"]', { hasText: '6' }).waitFor()
  assert.equal((await goodsRow(sec).locator('[data-field="to-deliver"]').innerText()).trim(), '14')

  // 6. zhang: return 2 kg of what was delivered, with a reason and a refund of ¥100
  await zhang.reload()
  sec = await goodsTab(zhang)
  await goodsRow(sec).locator('[data-field="delivered"]', { hasText: '6' }).waitFor()
  await sec.locator('[data-action="return-goods"]').click()
  const rdl = zhang.locator('[data-dialog="return"]')
  await input(rdl, 'reason').fill(`线盘受潮 Wet spools ${tag}`)
  await input(rdl.locator(`[data-row="return-line"][data-product="${tag}"]`), 'qty').fill('2')
  await input(rdl, 'refund').fill('100')
  await rdl.locator('[data-action="confirm-return"]').click()
  await rdl.waitFor({ state: 'hidden' })
  const retRow = sec.locator('[data-table="returns"] .el-table__body tr', { hasText: 'Wet spools' }).first()
  await retRow.locator('[data-field="return-state"]', { hasText: 'In approval' }).waitFor()
  const retNo = (await retRow.innerText()).match(/TH-\d{6}-\d{4}/)[0]

  // 7. li approves the return, then zhou the warehouse's step; both see the link to the contract's goods
  await approveInInbox(li, retNo, `#/contracts/${id}?tab=goods`)
  await approveInInbox(zhou, retNo, `#/contracts/${id}?tab=goods`)

  // 8. zhang: the return approved, the returned quantity, the refund and the figures
  await zhang.reload()
  sec = await goodsTab(zhang)
  const done = sec.locator('[data-table="returns"] .el-table__body tr', { hasText: retNo })
  await done.locator('[data-field="return-state"]', { hasText: 'Approved' }).waitFor()
  assert.match(await done.innerText(), /¥100\.00/)
  await goodsRow(sec).locator('[data-field="returned"]', { hasText: '2' }).waitFor()
  await detail.locator('[data-figure="refunded"]', { hasText: '¥100.00' }).waitFor()
  assert.match(await detail.locator('[data-figure="returned_value"]').innerText(), /¥100\.00/)
  assert.match(await detail.locator('[data-figure="received"]').innerText(), /¥900\.00/)
  await detail.locator('#tab-money').click()
  await detail.locator('[data-section="contract-money"] [data-table="receipts"] .el-table__body tr', { hasText: 'Refund' }).filter({ hasText: '100.00' }).waitFor()

  // and the books say the same
  const k = (await apiCall(zhang, 'GET', `/contracts/${id}`)).body
  assert.equal(k.state, 'fulfilling')
  assert.deepEqual([k.grand_total, k.invoiced, k.received, k.refunded, k.returned_value, k.due], [100000, 100000, 90000, 10000, 10000, 0])
  for (const p of [admin, zhang, li, sun, zhou]) assert.deepEqual(p.problems, [])
})
