// number_settings.test.mjs — Settings → Customers → Numbering shows the
// pattern of customers and of every kind of document, each with a preview
// of the next number; a pattern without one {seq:N} cannot be saved, and
// one the server refuses ({seq:N} beyond 12 digits) shows its message on
// the field and changes nothing. It stores no pattern (the demo server is
// shared with the other browser tests, which number documents).
//   tests/one.sh tests/browser/number_settings.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, BASE_URL, apiCall } from './lib.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('the numbering tab edits every number pattern with a preview, and a bad one is refused on its field', async () => {
  const page = await newPage(browser)
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await login(page)
  await page.goto(`${BASE_URL}/#/settings/customers?tab=number`)
  const tab = page.locator('[data-test="settings-number"]')
  await tab.waitFor()
  const year = String(new Date().getFullYear())
  for (const [seq, prefix] of [['customer', 'KH-'], ['quotation', 'BJ-'], ['contract', 'HT-'], ['delivery', 'FH-'], ['return', 'TH-'], ['invoice', 'FP-'], ['receipt', 'SK-']]) {
    const one = tab.locator(`[data-test="number-${seq}"]`)
    await one.locator('.num', { hasText: `${prefix}${year}` }).waitFor()
  }
  const q = tab.locator('[data-test="number-quotation"]')
  const input = q.locator('input[data-test="number-pattern"], [data-test="number-pattern"] input').first()
  await input.fill('BJ-{yyyy}')
  assert.equal(await q.locator('[data-action="save-number"]').isDisabled(), true, 'no {seq:N}: cannot be saved')
  await input.fill('BJ-{yyyy}-{seq:20}')
  await q.locator('[data-action="save-number"]').click()
  await q.locator('.field-err').waitFor()
  assert.match(await q.locator('.field-err').innerText(), /\{seq:N\}/)
  const stored = await apiCall(page, 'GET', '/settings/quotation_number')
  assert.equal(stored.body.pattern, 'BJ-{yyyy}{mm}-{seq:4}')
  assert.deepEqual(errors, [])
  await page.close()
})
