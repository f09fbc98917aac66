// products_pricing.test.mjs — the catalogue and a tier price, in a real
// Chromium against the demo company (TF_BASE_URL; tests/one.sh starts one).
// The administrator adds a wire to a category with its conductor,
// insulation, size and spools, creates a customer tier, gives a
// salesperson's customer that tier and sets up a tier rule for the wire;
// the salesperson finds the wire by a Chinese fragment of its name, opens
// it and checks the price for that customer: the tier, the discount, the
// unit price, the total and the rule's name are shown.
//   tests/one.sh tests/browser/journeys/products_pricing.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, signInPage, apiCall } from '../lib.mjs'

const tag = `PP${Date.now().toString(36)}`.toUpperCase()
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** fetch inside the page (cookie and CSRF header): setup and outcome checks. */

/** Opens an Element Plus select (by its data-field) and picks the option with the text. */
async function pick(page, field, text, typed, scope = page) {
  const box = scope.locator(`[data-field="${field}"]`).first()
  // under load a remote search may answer after the option was clicked and
  // the choice not take: the box must show it, else the choice is made again
  for (let attempt = 0; ; attempt++) {
    await box.click()
    if (typed) await page.keyboard.type(typed)
    await page.locator('.el-select-dropdown__item:visible, .el-tree-node__content:visible').filter({ hasText: text }).first().click()
    const shown = await box.filter({ hasText: text }).waitFor({ timeout: 5000 }).then(() => true, () => false)
    if (shown || attempt === 1) return
    await page.keyboard.press('Escape')
  }
}

test('the administrator sets up a tier price and a salesperson sees it on the product', async () => {
  const code = `CUPI-${tag}`
  const name = `测试薄膜铜扁线${tag} Test film copper wire`
  const tierName = `战略客户${tag}`
  const ruleName = `战略客户优惠 ${tag}`
  const customerName = `定价客户 ${tag}`

  // setup: one of zhang's customers
  const zhang = await signedIn('zhang')
  const c = await apiCall(zhang, 'POST', '/customers', { name: customerName, phone: `139${String(Date.now()).slice(-8)}` })
  assert.equal(c.status, 201, JSON.stringify(c.body))

  // the administrator adds the wire
  const admin = await signedIn('admin')
  await navigate(admin, 'products')
  await admin.locator('[data-action="new-product"]').click()
  const dlg = admin.locator('[data-dialog="product"]')
  await dlg.locator('input[data-field="code"], [data-field="code"] input').fill(code)
  await dlg.locator('input[data-field="name"], [data-field="name"] input').fill(name)
  await pick(admin, 'category', '薄膜绕包扁线', undefined, dlg)
  await pick(admin, 'conductor', 'Copper', undefined, dlg)
  await pick(admin, 'insulation', 'Polyimide film', undefined, dlg)
  await dlg.locator('input[data-field="thickness"], [data-field="thickness"] input').fill('2.24')
  await dlg.locator('input[data-field="width"], [data-field="width"] input').fill('9')
  await dlg.locator('[data-action="add-package"]').click()
  await dlg.locator('input[data-field="package-name"], [data-field="package-name"] input').fill('50 kg spool')
  await dlg.locator('input[data-field="package-size"], [data-field="package-size"] input').fill('50')
  await dlg.locator('input[data-field="list_price"], [data-field="list_price"] input').fill('95.00')
  await dlg.locator('input[data-field="standard_cost"], [data-field="standard_cost"] input').fill('80')
  await dlg.locator('[data-action="save-product"]').click()
  await admin.locator('[data-page="product-detail"]').waitFor()
  await admin.getByText(`${code} · ${name}`).waitFor()
  assert.match(await admin.locator('.page-head p').innerText(), /Copper \/ Polyimide film \/ 2\.24×9\.00 mm/)
  assert.equal(await admin.locator('[data-test="packages"]').innerText(), '50 kg spool (50 kg)')
  assert.equal(await admin.locator('[data-test="list-price"]').innerText(), '¥95.00')

  // a tier, the customer's tier, a rule for the tier on this wire
  await navigate(admin, 'pricing')
  await admin.getByRole('tab', { name: 'Customer tiers' }).click()
  await admin.locator('input[data-field="tier-name"], [data-field="tier-name"] input').fill(tierName)
  await admin.locator('[data-action="add-tier"]').click()
  await admin.locator('[data-test="tiers"]').getByText(tierName).waitFor()
  await admin.getByRole('tab', { name: 'A customer\'s tier' }).click()
  await pick(admin, 'tier-customer', customerName, tag)
  await admin.locator('[data-test="current-tier"]').getByText('No tier').waitFor()
  await pick(admin, 'tier-select', tierName)
  await admin.locator('[data-action="set-tier"]').click()
  await admin.locator('[data-test="current-tier"]').getByText(tierName).waitFor()
  await admin.getByRole('tab', { name: 'Rules' }).click()
  await admin.locator('[data-action="new-rule"]').click()
  const rd = admin.locator('[data-dialog="rule"]')
  await rd.locator('input[data-field="rule-name"], [data-field="rule-name"] input').fill(ruleName)
  await pick(admin, 'rule-tier', tierName, undefined, rd)
  await rd.getByText('Product', { exact: true }).click()
  await pick(admin, 'rule-product', code, tag, rd)
  await rd.locator('input[data-field="rule-discount"], [data-field="rule-discount"] input').fill('6')
  await rd.locator('[data-action="save-rule"]').click()
  await admin.locator('[data-test="rules"]').getByText(ruleName).waitFor()

  // the salesperson finds the wire by a Chinese fragment and checks the price
  await navigate(zhang, 'products')
  await zhang.locator('input[data-field="q"], [data-field="q"] input').fill(`铜扁线${tag}`)
  await zhang.locator(`[data-test="product-list"] [data-code="${code}"]`).click()
  await zhang.locator('[data-page="product-detail"]').waitFor()
  await pick(zhang, 'price-customer', customerName, tag)
  await zhang.locator('input[data-field="price-qty"], [data-field="price-qty"] input').fill('100')
  await zhang.locator('[data-action="check-price"]').click()
  const res = zhang.locator('[data-test="price-result"]')
  await res.waitFor()
  assert.equal(await res.locator('[data-test="price-tier"]').innerText(), tierName)
  assert.equal(await res.locator('[data-test="price-discount"]').innerText(), '6 %')
  assert.equal(await res.locator('[data-test="price-unit"]').innerText(), '¥89.30')
  assert.equal(await res.locator('[data-test="price-total"]').innerText(), '¥8,930.00')
  assert.equal(await res.locator('[data-test="price-rule"]').innerText(), ruleName)
  // a salesperson changes nothing here
  assert.equal(await zhang.locator('[data-action="edit-product"]').count(), 0)

  // the outcome as the server keeps it
  const p = await apiCall(zhang, 'GET', `/products?q=${encodeURIComponent(code)}`)
  assert.equal(p.body.items.length, 1)
  assert.equal(p.body.items[0].thickness_um, 2240)
  assert.equal(p.body.items[0].list_price, 9500)
  assert.deepEqual(admin.problems.concat(zhang.problems), [])
  await admin.context().close()
  await zhang.context().close()
})
