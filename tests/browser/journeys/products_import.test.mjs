// products_import.test.mjs — the administrator fills the catalogue from a
// spreadsheet in the browser: from the Products page, Import; a small CSV
// with the export's headers maps itself; the dry run shows two rows that
// can be imported and one refused (an unknown category), with the reason;
// the run creates the two, the Products page lists them; then the list,
// searched for them, is exported to XLSX and LibreOffice reads it back.
// Everything it makes is named uniquely.
//   tests/one.sh tests/browser/journeys/products_import.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, navigate, BASE_URL, downloadOf, apiCall } from '../lib.mjs'
import { soffice, parseCsv } from '../../fixtures/io-helpers.mjs'

const tag = `JP${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('the administrator imports products from a CSV with a dry run, sees them, and exports the list to XLSX', async () => {
  const page = await newPage(browser)
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await login(page)
  const cat = await apiCall(page, 'POST', '/product-categories', { name: `旅程导入 Journey import ${tag}` })
  assert.equal(cat.status, 201, JSON.stringify(cat.body))
  const catName = cat.body.name
  const csv = [
    'Code,Name,Category,Unit,Packaging,List price,Tax rate',
    `${tag}-1,旅程扁铜线 Journey flat copper ${tag},${catName},kg,30 / 50,88.50,13%`,
    `${tag}-2,旅程扁铝线 Journey flat aluminium ${tag},,spool,,1200,13%`,
    `${tag}-3,旅程坏类别 Journey bad ${tag},没有的类别 ${tag},kg,,10,`,
  ].join('\r\n') + '\r\n'

  await navigate(page, 'products')
  await page.locator('[data-action="import"]').click()
  await page.locator('[data-page="imports"]').waitFor()
  await page.locator('[data-test="import-file"]').setInputFiles({ name: `products-${tag}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('[data-test="import-map"]').waitFor()
  // the headers map themselves
  for (const [col, label] of [['Code', 'Code'], ['List price', 'List price'], ['Packaging', 'Packaging']])
    await page.locator(`.map-row[data-column="${col}"] [data-map="${col}"]`, { hasText: label }).waitFor()
  await page.locator('[data-action="dry-run"]').click()

  // the dry run: two rows can be imported, one is refused with its reason
  await page.locator('[data-test="check-stats"]').waitFor({ timeout: 60000 })
  assert.equal(await page.locator('[data-test="ok-rows"]').innerText(), '2')
  assert.equal(await page.locator('[data-test="error-rows"]').innerText(), '1')
  const refused = await page.locator('[data-test="check-errors"] .el-table__row').first().innerText()
  assert.ok(/4/.test(refused) && /no such category/.test(refused), refused)
  let found = await (await page.request.get(`${BASE_URL}/api/v1/products?q=${tag}`)).json()
  assert.equal(found.items.length, 0, 'the dry run writes nothing')

  await page.locator('[data-action="run-import"]').click()
  await page.locator('[data-test="run-stats"]').waitFor({ timeout: 60000 })
  assert.equal(await page.locator('[data-test="created-rows"]').innerText(), '2')

  // the products, as the list shows them
  await page.locator('[data-action="see-products"]').click()
  await page.locator('[data-page="products"]').waitFor()
  await page.locator('[data-page="products"] input[data-field="q"], [data-page="products"] [data-field="q"] input').first().fill(tag)
  await page.locator('.el-table__row', { hasText: `${tag}-2` }).waitFor()
  const rows = await page.locator('.el-table__body-wrapper .el-table__row').allInnerTexts()
  assert.equal(rows.filter((r) => r.includes(tag)).length, 2, rows.join('\n'))
  found = await (await page.request.get(`${BASE_URL}/api/v1/products?q=${tag}`)).json()
  const one = found.items.find((p) => p.code === `${tag}-1`)
  assert.equal(one.list_price, 8850)
  assert.deepEqual(one.packages.map((p) => p.size_milli), [30000, 50000])

  // the list, searched for them, exported to XLSX through the UI
  await page.locator('[data-action="export"]').click()
  const xlsx = await downloadOf(page, page.locator('[data-action="export-xlsx"]'))
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK')
  const back = parseCsv(soffice(xlsx, `products-${tag}.xlsx`, 'csv'))
  assert.equal(back[0][0], 'Code')
  assert.deepEqual(back.slice(1).map((r) => r[0]).sort(), [`${tag}-1`, `${tag}-2`])
  assert.deepEqual(errors, [])
  await page.close()
})
