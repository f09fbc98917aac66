// screens.mjs — screenshots of every screen, desktop (1366x850) and phone
// (390x844), English and Simplified Chinese, into TF_SCREENS_DIR
// (default /tmp/tf-screens). Needs a running server at TF_BASE_URL with the
// demo company loaded.
//   TF_BASE_URL=http://127.0.0.1:18080 node tests/browser/screens.mjs
import { mkdir, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { launch, newPage, login, navigate, BASE_URL, ADMIN, NAV_KEYS } from './lib.mjs'

const DEMO_PASSWORD = process.env.TF_DEMO_PASSWORD || 'demo123'

/** A small GBK CSV for the import wizard's screens. */
async function gbkFile() {
  const utf8 = path.join(tmpdir(), `tf-screens-${process.pid}.csv`)
  const gbk = path.join(tmpdir(), `客户名单-${process.pid}.csv`)
  const rows = [
    '客户名称,手机,地址,行业,价值级别,地区,备注',
    '开封恒达电机有限公司,13700001001,开封市龙亭区,电机制造,新客户,河南省,展会认识',
    '平顶山华电变压器厂,13700001002,平顶山市新华区,变压器制造,老客户,河南省,',
    ',13700001003,缺少名称的一行,电机制造,,,',
    '无锡宏达风电设备有限公司,13700001004,无锡市滨湖区,风电,优质客户,江苏省,年用量约 80 吨',
  ]
  await writeFile(utf8, rows.join('\r\n') + '\r\n')
  await writeFile(gbk, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK', utf8]))
  return gbk
}

const failures = []

/** Runs the extra screens of one step; a failure is reported, the rest go on. */
async function step(page, name, fn) {
  try {
    await fn()
  } catch (e) {
    failures.push(`${name}: ${e.message.split('\n')[0]}`)
    await page.keyboard.press('Escape').catch(() => {})
  }
}

/** Open an Element Plus dropdown-ish thing and close it again with Escape. */
async function escape(page, selector) {
  await page.keyboard.press('Escape')
  if (selector) await page.locator(selector).waitFor({ state: 'hidden' }).catch(() => {})
}

/** The customer screens as a salesperson sees them (zhang of the demo company). */
async function salesScreens(page, snap, dev, n) {
  await login(page, { login: 'zhang', password: DEMO_PASSWORD })
  const id = await page.evaluate(async () => {
    const r = await fetch('/api/v1/customers?q=' + encodeURIComponent('宇通电机')).then((x) => x.json())
    return r.items[0] && r.items[0].id
  })
  await navigate(page, 'customers')
  await snap(`${n++}-sales-customers`)
  await page.goto(`${BASE_URL}/#/customers/${id}`)
  await page.locator('[data-test="customer-name"]').waitFor()
  await page.locator('[data-test="followups"] .fu').first().waitFor().catch(() => {})
  await snap(`${n++}-customer-detail`)
  await page.locator('[data-action="new-followup"]').click()
  const fu = page.locator('[data-test="followup-dialog"]')
  await fu.waitFor()
  await fu.locator('[data-template]').nth(1).click().catch(() => {})
  await snap(`${n++}-followup-template`, false)
  await escape(page, '[data-test="followup-dialog"]')
  await page.locator('#tab-contacts').click()
  await snap(`${n++}-customer-contacts`)
  await page.locator('#tab-reminders').click()
  await page.locator('[data-test="customer-reminders"]').waitFor()
  await snap(`${n++}-customer-reminders`)
  await page.locator('#tab-history').click()
  await page.locator('[data-test="customer-history"] .el-timeline-item').first().waitFor().catch(() => {})
  await snap(`${n++}-customer-history`)
  await page.locator('[data-action="share"]').click()
  await page.locator('[data-test="share-dialog"]').waitFor()
  await snap(`${n++}-share-dialog`, false)
  await escape(page, '[data-test="share-dialog"]')
  await page.goto(`${BASE_URL}/#/customers/${id}/edit`)
  await page.locator('[data-test="customer-form"]').waitFor()
  await snap(`${n++}-customer-edit`)
  await navigate(page, 'pool')
  await snap(`${n++}-sales-pool`)
  await page.locator('[data-action="claim-random"]').click()
  await page.locator('[data-test="random-dialog"]').waitFor()
  await snap(`${n++}-pool-random`, false)
  await escape(page, '[data-test="random-dialog"]')
  await navigate(page, 'reminders')
  await page.locator('[data-test="reminders-list"] .rem').first().waitFor().catch(() => {})
  await snap(`${n++}-reminders`)
  await page.locator('[data-action="new-reminder"]').click()
  await page.locator('[data-test="reminder-dialog"]').waitFor()
  await snap(`${n++}-reminder-new`, false)
  await escape(page, '[data-test="reminder-dialog"]')
  return n
}

/** The project screens of a salesperson (already signed in): board, detail
 * with its checklist, timeline, members and history, a gate refusal, the
 * close dialog, the entry form, the customer's projects. */
async function projectScreens(page, snap, n) {
  const ids = await page.evaluate(async () => {
    const r = await fetch('/api/v1/projects?owner=me&status=open&limit=50').then((x) => x.json())
    const c = await fetch('/api/v1/customers?q=' + encodeURIComponent('宇通电机')).then((x) => x.json())
    const p = r.items.find((x) => x.stage === 'negotiation') || r.items[0]
    return { project: p && p.id, customer: c.items[0] && c.items[0].id }
  })
  await page.goto(`${BASE_URL}/#/projects/board`)
  await page.locator('[data-page="project-board"] [data-card]').first().waitFor().catch(() => {})
  await snap(`${n++}-project-board`)
  await page.goto(`${BASE_URL}/#/projects/${ids.project}`)
  await page.locator('[data-test="checklist"]').waitFor()
  await page.locator('[data-test="project-timeline"] .el-timeline-item').first().waitFor().catch(() => {})
  await snap(`${n++}-project-detail`)
  const next = page.locator('[data-action="next-stage"]')
  if (await next.count()) {
    await next.click()
    await page.locator('[data-test="close-dialog"], [data-test="gate-refusal"]').first().waitFor()
    await snap(`${n++}-project-next`, false)
    await escape(page, '[data-test="close-dialog"]')
  }
  await page.locator('#tab-members').click()
  await snap(`${n++}-project-members`)
  await page.locator('#tab-history').click()
  await page.locator('[data-test="project-history"] .el-timeline-item').first().waitFor().catch(() => {})
  await snap(`${n++}-project-history`)
  await page.goto(`${BASE_URL}/#/projects/new?customer_id=${ids.customer}`)
  await page.locator('[data-test="project-form"]').waitFor()
  await page.locator('[data-action="add-product"]').click()
  await snap(`${n++}-project-new`)
  await page.goto(`${BASE_URL}/#/customers/${ids.customer}`)
  await page.locator('[data-test="customer-projects"] [data-project]').first().waitFor().catch(() => {})
  await snap(`${n++}-customer-projects`)
  return n
}

/** The project list, its filters and batch dialog, and the weighted pipeline
 * (by salesperson, department and stage) as a manager (wang) sees them. */
async function managerProjectScreens(page, snap, n) {
  await login(page, { login: 'wang', password: DEMO_PASSWORD })
  await navigate(page, 'projects')
  await page.locator('[data-test="projects-table"] .el-table__row, [data-test="projects-cards"] .card-item').first().waitFor().catch(() => {})
  await snap(`${n++}-project-list`)
  await page.locator('[data-action="toggle-filters"]').click()
  await page.locator('[data-test="project-filters"]').waitFor()
  await snap(`${n++}-project-list-filters`, false)
  await page.locator('[data-action="toggle-filters"]').click()
  const box = page.locator('[data-test="projects-table"] .el-table__body-wrapper .el-checkbox, [data-test="projects-cards"] .el-checkbox')
  await box.nth(0).click()
  await box.nth(1).click()
  await page.locator('[data-action="batch-assign"]').click()
  await page.locator('[data-test="batch-dialog"]').waitFor()
  await snap(`${n++}-project-batch-assign`, false)
  await escape(page, '[data-test="batch-dialog"]')
  for (const g of ['owner', 'department', 'stage']) {
    await page.goto(`${BASE_URL}/#/projects/pipeline?group=${g}`)
    await page.locator('[data-test="pipeline-table"] tbody tr').first().waitFor()
    await snap(`${n++}-pipeline-${g}`)
  }
  return n
}

const OUT = process.env.TF_SCREENS_DIR || '/tmp/tf-screens'
const DEVICES = [
  { name: 'desktop', width: 1366, height: 850, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
]
const LANGS = ['en', 'zh-CN']

async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {})
  await page
    .waitForFunction(() => ![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent !== null), null, { timeout: 5000 })
    .catch(() => {})
  await page.waitForTimeout(450) // drawer/dialog transitions, chart first paint
}

async function shoot(page, dir, name, fullPage = true) {
  await settle(page)
  const file = path.join(dir, `${name}.png`)
  await page.screenshot({ path: file, fullPage, animations: 'disabled' })
  return file
}

async function run() {
  const browser = await launch()
  const files = []
  const gbk = await gbkFile()
  try {
    for (const lang of LANGS) {
      for (const dev of DEVICES) {
        const dir = path.join(OUT, `${lang}-${dev.name}`)
        await mkdir(dir, { recursive: true })
        const page = await newPage(browser, { locale: lang, ...dev })
        const snap = async (name, full = true) => files.push(await shoot(page, dir, name, full))

        // Login page, empty and with an error.
        await page.goto(BASE_URL + '/#/login')
        await page.locator('[data-page="login"]').waitFor()
        await snap('01-login', false)
        await page.locator('[data-test="login"]').fill(ADMIN.login)
        await page.locator('[data-test="password"]').fill('wrong-password')
        await page.locator('[data-test="submit"]').click()
        await page.locator('[data-test="login-error"]').waitFor()
        await snap('02-login-error', false)

        await login(page)
        await snap('03-dashboard')

        if (dev.mobile) {
          await page.locator('[data-action="open-menu"]').click()
          await page.locator('.nav-drawer [data-nav="dashboard"]').waitFor()
          await snap('04-nav-drawer', false)
          await page.keyboard.press('Escape')
          await page.locator('.nav-drawer').waitFor({ state: 'hidden' }).catch(() => {})
        }

        let n = 10
        for (const key of NAV_KEYS.filter((k) => k !== 'dashboard')) {
          await navigate(page, key)
          await snap(`${n++}-${key}`)

          if (key === 'approvals') {
            const row = dev.mobile
              ? page.locator('[data-test="approvals-cards"] .card-item').first()
              : page.locator('[data-page="approvals"] .el-table__body tr').first()
            if (await row.count()) {
              await row.click()
              await page.locator('.approval-drawer .el-descriptions').waitFor()
              await snap(`${n++}-approval-drawer`, false)
              await page.keyboard.press('Escape')
              await page.locator('.approval-drawer').waitFor({ state: 'hidden' }).catch(() => {})
            }
            await page.locator('#tab-all').click()
            await snap(`${n++}-approvals-all`)
          }
          if (key === 'users') {
            await page.locator('[data-action="new-user"]').click()
            await page.locator('[data-test="user-dialog"]').waitFor()
            await snap(`${n++}-user-create`, false)
            await page.keyboard.press('Escape')
            await page.locator('[data-test="user-dialog"]').waitFor({ state: 'hidden' })
            const row = dev.mobile
              ? page.locator('[data-test="users-cards"] .card-item').nth(3)
              : page.locator('[data-page="users"] .el-table__body tr').nth(3)
            await row.click()
            await page.locator('[data-test="user-dialog"]').waitFor()
            await snap(`${n++}-user-edit`, false)
            await page.locator('[data-test="user-dialog"] #tab-history').click()
            await snap(`${n++}-user-history`, false)
            await page.keyboard.press('Escape')
            await page.locator('[data-test="user-dialog"]').waitFor({ state: 'hidden' })
          }
          if (key === 'customers') await step(page, `${dir} customers`, async () => {
            await page.locator('[data-action="toggle-filters"]').click()
            await page.locator('[data-test="customer-filters"]').waitFor()
            await snap(`${n++}-customers-filters`, false)
            await page.locator('[data-action="toggle-filters"]').click()
            await page.locator('[data-action="new-customer"]').click()
            await page.locator('[data-test="customer-form"]').waitFor()
            await page.locator('[data-test="c-name"]').fill('郑州宇通电机有限公司')
            await page.locator('[data-test="duplicates"]').waitFor().catch(() => {})
            await snap(`${n++}-customer-new`)
            await page.goto(`${BASE_URL}/#/customers/import`)
            await page.locator('[data-test="import-upload"]').waitFor()
            await snap(`${n++}-import-upload`)
            await page.locator('[data-test="import-file"]').setInputFiles(gbk)
            await page.locator('[data-test="import-map"]').waitFor()
            await snap(`${n++}-import-map`)
            await page.locator('[data-action="dry-run"]').click()
            await page.locator('[data-test="check-stats"]').waitFor({ timeout: 30000 })
            await snap(`${n++}-import-check`)
            await navigate(page, 'customers')
          })
          if (key === 'quotations' || key === 'products') await step(page, `${dir} ${key}`, async () => {
            // the first record's page (and a new quotation's form)
            const first = await page.evaluate(async (k) => {
              const r = await fetch(`/api/v1/${k}?limit=1`)
              return r.ok ? (await r.json()).items[0]?.id : null
            }, key)
            if (key === 'quotations') {
              await page.goto(`${BASE_URL}/#/quotations/new`)
              await page.locator('[data-page="quotation-form"]').waitFor().catch(() => {})
              await snap(`${n++}-quotation-new`)
            }
            if (first) {
              const sub = key === 'quotations' ? 'quotation-detail' : 'product-detail'
              await page.goto(`${BASE_URL}/#/${key}/${first}`)
              await page.locator(`[data-page="${sub}"]`).waitFor().catch(() => {})
              await snap(`${n++}-${sub}`)
            }
            await navigate(page, key)
          })
          if (key === 'wechat') await step(page, `${dir} wechat`, async () => {
            const row = dev.mobile ? page.locator('[data-test="fans-cards"] .card-item').nth(2) : page.locator('[data-test="fans-table"] .el-table__body tr').nth(2)
            if (await row.count()) {
              await row.click()
              await page.locator('[data-test="fan-transfer"]').waitFor()
              await snap(`${n++}-wechat-fan`, false)
              await escape(page, '.fan-drawer')
            }
          })
          if (key === 'customerSettings') await step(page, `${dir} settings`, async () => {
            for (const tab of ['fields', 'templates', 'policy', 'pool', 'number', 'wechat']) {
              await page.locator(`#tab-${tab}`).click()
              await page.waitForTimeout(200)
              await snap(`${n++}-settings-${tab}`)
            }
            await page.locator('#tab-dicts').click()
            if (!dev.mobile) {
              await page.locator('[data-kind="region"]').click()
              await snap(`${n++}-settings-regions`)
            }
          })
          if (key === 'processSettings') await step(page, `${dir} process`, async () => {
            await page.locator('[data-edit]').first().click()
            await page.locator('[data-test="template-dialog"]').waitFor()
            await snap(`${n++}-process-template-edit`, false)
            await escape(page, '[data-test="template-dialog"]')
          })
          if (key === 'departments') {
            const more = page.locator('[data-test="dept-tree"] .more').first()
            if (await more.count()) {
              await more.click()
              await page.locator('.el-dropdown-menu__item').filter({ visible: true }).nth(2).click()
              await page.locator('[data-test="dept-dialog"]').waitFor()
              await snap(`${n++}-department-manager`, false)
              await page.keyboard.press('Escape')
              await page.locator('[data-test="dept-dialog"]').waitFor({ state: 'hidden' })
            }
          }
          if (key === 'flows') {
            const edit = page.locator('[data-edit-flow]').nth(1)
            if (await edit.count()) {
              await edit.click()
              await page.locator('[data-test="flow-dialog"]').waitFor()
              await snap(`${n++}-flow-edit`, false)
              await page.keyboard.press('Escape')
            }
          }
        }
        await page.context().close()

        // The same screens as a salesperson sees them.
        const sales = await newPage(browser, { locale: lang, ...dev })
        const snapSales = async (name, full = true) => files.push(await shoot(sales, dir, name, full))
        await step(sales, `${dir} sales`, () => salesScreens(sales, snapSales, dev, 60))
        await step(sales, `${dir} projects`, () => projectScreens(sales, snapSales, 80))
        await sales.context().close()
        const manager = await newPage(browser, { locale: lang, ...dev })
        const snapManager = async (name, full = true) => files.push(await shoot(manager, dir, name, full))
        await step(manager, `${dir} manager projects`, () => managerProjectScreens(manager, snapManager, 95))
        await manager.context().close()
      }
    }
  } finally {
    await browser.close()
  }
  console.log(`${files.length} screenshots in ${OUT}`)
  if (failures.length) {
    console.error(`screens that could not be taken:\n  ${failures.join('\n  ')}`)
    process.exitCode = 1
  }
}

run().catch((e) => {
  console.error(e)
  process.exit(1)
})
