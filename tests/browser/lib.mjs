// lib.mjs — shared by the browser test and the screenshot script: Debian's
// chromium driven by playwright-core (installed by `npm ci` in web/).
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.resolve(here, '../../web/package.json'))
export const { chromium } = require('playwright-core')

export const BASE_URL = (process.env.TF_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const ADMIN = { login: process.env.TF_ADMIN_LOGIN || 'admin', password: process.env.TF_ADMIN_PASSWORD || 'demo123' }

export const NAV_KEYS = [
  'dashboard',
  'customers',
  'pool',
  'reminders',
  'wechat',
  'projects',
  'quotations',
  'contracts',
  'aftersales',
  'team',
  'approvals',
  'users',
  'departments',
  'flows',
  'customerSettings',
  'processSettings',
]

export function launch() {
  return chromium.launch({
    executablePath: process.env.TF_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A fresh context (own cookies and storage) with the UI language preset. */
export async function newPage(browser, { locale = 'en', width = 1366, height = 850, mobile = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US',
  })
  await context.addInitScript((l) => {
    if (!localStorage.getItem('tf.locale')) localStorage.setItem('tf.locale', l)
  }, locale)
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  return page
}

/** Open the login page, sign in, and wait for the dashboard. */
export async function login(page, { login = ADMIN.login, password = ADMIN.password } = {}) {
  await page.goto(BASE_URL + '/#/login')
  await page.locator('[data-test="login"]').fill(login)
  await page.locator('[data-test="password"]').fill(password)
  await page.locator('[data-test="submit"]').click()
  await page.locator('[data-page="dashboard"]').waitFor()
}

/** Click a nav item; on phones open the drawer first. */
export async function navigate(page, key) {
  const burger = page.locator('[data-action="open-menu"]')
  if (await burger.isVisible()) {
    await burger.click()
    await page.locator(`.nav-drawer [data-nav="${key}"]`).click()
  } else {
    await page.locator(`.aside [data-nav="${key}"]`).click()
  }
  await page.locator(`[data-page="${key}"]`).waitFor()
}
