// import.test.mjs — an import that forgives (issue 13), by the administrator,
// in the browser: a GBK-encoded CSV whose industry and level columns hold
// values the dictionaries lack, with contact columns and regions written as
// people write them (浙江省杭州市, 杭州, 浙江). In the dry run the industry
// column is set to "add to the dictionary" and the level column to "leave
// empty"; the dry run shows the counts, the run creates the customers, which
// carry their industry, region and primary contact. Then the customer list is
// exported to XLSX through the UI and LibreOffice reads the file back.
// Everything it makes is named uniquely; it changes no shared setting.
//   tests/one.sh tests/browser/journeys/import.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { launch, newPage, login, navigate, BASE_URL, downloadOf } from '../lib.mjs'
import { soffice, parseCsv } from '../../fixtures/io-helpers.mjs'

const tag = String(Date.now() % 1e7).padStart(7, '0')
const mob = (i) => `15${tag}${String(i).padStart(2, '0')}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('a GBK file with unknown dictionary values, contacts and regions imports with a choice per column; the list exports to XLSX', async () => {
  const ind = `汽车零部件${tag}`
  const csv = [
    '客户名称,手机,行业,级别,地区,联系人,职务,联系人手机',
    `甲${tag}精密,${mob(1)},${ind},战略${tag},浙江省杭州市,王甲,采购经理,${mob(11)}`,
    `乙${tag}电缆,${mob(2)},${ind},战略${tag},杭州,李乙,总经理,${mob(12)}`,
    `丙${tag}贸易,${mob(3)},电机制造,,浙江,,,`,
  ].join('\r\n') + '\r\n'
  const file = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: csv })

  const page = await newPage(browser)
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await login(page)
  await navigate(page, 'customers')
  await page.locator('[data-action="import"]').click()
  await page.locator('[data-page="imports"]').waitFor()
  await page.locator('[data-test="import-file"]').setInputFiles({ name: `forgiving-${tag}.csv`, mimeType: 'text/csv', buffer: file })
  await page.locator('[data-test="import-map"]').waitFor()
  assert.match(await page.locator('[data-test="import-map"] .file-line').innerText(), /gb18030/i)

  // the headers map themselves; each dictionary column offers its choice
  for (const [col, label] of [['行业', 'Industry'], ['联系人', 'Contact: name'], ['联系人手机', 'Contact: mobile']]) {
    const shown = await page.locator(`.map-row[data-column="${col}"] [data-map="${col}"]`).innerText()
    assert.ok(shown.includes(label), `${col} → ${shown}`)
  }
  await page.locator('[data-choice="行业"]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'Add to the dictionary' }).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'Add to the dictionary' }).waitFor({ state: 'hidden' })
  await page.locator('[data-choice="级别"]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'Leave the field empty' }).click()
  await page.locator('[data-action="dry-run"]').click()

  // the dry run: counts, and what happens to the unknown values
  await page.locator('[data-test="check-stats"]').waitFor({ timeout: 60000 })
  assert.equal(await page.locator('[data-test="ok-rows"]').innerText(), '3')
  assert.equal(await page.locator('[data-test="error-rows"]').innerText(), '0')
  const industry = await page.locator('[data-unknown="行业"]').innerText()
  assert.ok(industry.includes('2 rows · add to the dictionary') && industry.includes(`${ind} (2)`), industry)
  const level = await page.locator('[data-unknown="级别"]').innerText()
  assert.ok(level.includes('2 rows · left empty') && level.includes(`战略${tag} (2)`), level)
  let dicts = await (await page.request.get(`${BASE_URL}/api/v1/dictionaries?kind=industry`)).json()
  assert.ok(!dicts.items.some((d) => d.name === ind), 'the dry run adds nothing')

  await page.locator('[data-action="run-import"]').click()
  await page.locator('[data-test="run-stats"]').waitFor({ timeout: 60000 })
  assert.equal(await page.locator('[data-test="created-rows"]').innerText(), '3')

  // the customers, as the list shows them
  await page.locator('[data-action="see-customers"]').click()
  await page.locator('[data-page="customers"]').waitFor()
  await page.locator('input[data-test="customer-search"], [data-test="customer-search"] input').first().fill(tag)
  await page.locator('.el-table__row', { hasText: `甲${tag}精密` }).waitFor()
  const rows = await page.locator('.el-table__body-wrapper .el-table__row').allInnerTexts()
  assert.equal(rows.filter((r) => r.includes(tag)).length, 3, rows.join('\n'))

  // and in detail: industry added, level left empty, region and primary contact
  const list = await (await page.request.get(`${BASE_URL}/api/v1/customers?q=${tag}&limit=10`)).json()
  const jia = list.items.find((c) => c.name === `甲${tag}精密`)
  const detail = await (await page.request.get(`${BASE_URL}/api/v1/customers/${jia.id}`)).json()
  assert.equal(detail.industry_name, ind)
  assert.equal(detail.level_id, null)
  assert.equal(detail.region_name, '杭州市')
  const contacts = await (await page.request.get(`${BASE_URL}/api/v1/customers/${jia.id}/contacts`)).json()
  assert.deepEqual(contacts.items.map((c) => [c.name, c.title, c.mobile, c.is_primary]), [['王甲', '采购经理', mob(11), true]])
  assert.equal(list.items.find((c) => c.name === `丙${tag}贸易`).region_name, '浙江省')
  dicts = await (await page.request.get(`${BASE_URL}/api/v1/dictionaries?kind=industry`)).json()
  assert.equal(dicts.items.filter((d) => d.name === ind).length, 1)

  // the list (searched for this file's customers) exported to XLSX through the UI
  await page.locator('[data-action="export"]').click()
  const xlsx = await downloadOf(page, page.locator('[data-action="export-xlsx"]'))
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK')
  const back = parseCsv(soffice(xlsx, `export-${tag}.xlsx`, 'csv'))
  const header = back[0]
  const mine = back.slice(1).filter((r) => r.some((x) => x.includes(tag)))
  assert.equal(mine.length, 3, back.map((r) => r.join(',')).join('\n').slice(0, 2000))
  const jiaRow = mine.find((r) => r.includes(`甲${tag}精密`))
  assert.ok(jiaRow.includes(ind), `industry in ${jiaRow}`)
  assert.equal(jiaRow[header.indexOf('Region')], 'Hangzhou', `region (in English) in ${jiaRow}`)
  assert.deepEqual(errors, [])
  await page.close()
})
