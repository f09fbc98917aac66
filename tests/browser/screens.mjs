// screens.mjs — screenshots of every screen, desktop (1366x850) and phone
// (390x844), English and Simplified Chinese, into TF_SCREENS_DIR
// (default /tmp/tf-screens). Needs a running server at TF_BASE_URL with the
// demo company loaded.
//   TF_BASE_URL=http://127.0.0.1:18080 node tests/browser/screens.mjs
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { launch, newPage, login, navigate, BASE_URL, ADMIN, NAV_KEYS } from './lib.mjs'

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
      }
    }
  } finally {
    await browser.close()
  }
  console.log(`${files.length} screenshots in ${OUT}`)
}

run().catch((e) => {
  console.error(e)
  process.exit(1)
})
