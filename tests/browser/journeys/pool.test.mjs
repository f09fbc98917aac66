// journeys/pool.test.mjs — the customer pool through clicks and typing, by
// the roles that use it (TF_BASE_URL, the demo company): a salesperson
// claims a customer from the pool and releases another, which then shows in
// the pool with him as previous owner and his reason; a manager assigns
// customers to a salesperson in a batch (who then sees the days left before
// the automatic take-back) and takes them back, after which the pool says
// who had them and why. Records are made by this file with names of its own.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, BASE_URL, signInPage, apiCall } from '../lib.mjs'

let browser

const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥'
const stamp = Date.now()
const tag = [0, 1, 2].map((i) => STEMS[Math.floor(stamp / 23 ** i / 11) % 22]).join('') + String(stamp % 1e5).padStart(5, '0')
let phoneSeq = 0
const phone = () => `135${String((stamp + phoneSeq++ * 7919) % 1e8).padStart(8, '0')}`

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)


async function choose(page, selectLocator, text) {
  await selectLocator.click()
  await page.keyboard.type(text)
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor()
  await option.click()
}

/** Types q into a list's search box and waits for that list's reply. */
async function typeSearch(page, box, q) {
  await box.fill('')
  const reply = page.waitForResponse((r) => {
    const u = new URL(r.url())
    return u.pathname === '/api/v1/customers' && u.searchParams.get('q') === q
  })
  await box.pressSequentially(q)
  await reply
}

async function poolSearch(page, q) {
  await navigate(page, 'pool')
  await typeSearch(page, page.locator('[data-test="pool-search"]'), q)
}

/** A pool customer entered by a manager (setup). */
async function poolCustomer(manager, name) {
  const r = await apiCall(manager, 'POST', '/customers', { name, phone: phone(), owner_id: null })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

async function ownerOf(page, id) {
  return (await apiCall(page, 'GET', `/customers/${id}`)).body.owner_id
}

test('a salesperson claims a customer from the pool and releases another: the pool shows him as previous owner, with his reason', async () => {
  const huang = await signedIn('huang')
  const liu = await signedIn('liu')
  const zhao = await signedIn('zhao')
  try {
    const me = (await apiCall(liu, 'GET', '/me')).body
    const wanted = await poolCustomer(huang, `${tag}领取电机有限公司`)
    const other = await poolCustomer(huang, `${tag}释放线缆有限公司`)
    assert.equal((await apiCall(liu, 'POST', `/customers/${other.id}/claim`, {})).status, 200, 'setup: liu owns the second one')

    // the pool row says how the customer got there and offers one action
    await poolSearch(liu, `${tag}领取`)
    const came = liu.locator(`[data-came-back="${wanted.name}"]`)
    await came.waitFor()
    assert.match(await came.innerText(), /Entered into the pool/)
    assert.equal(await liu.locator(`[data-apply="${wanted.name}"]`).count(), 0, 'one action: claim')
    await liu.locator(`[data-claim="${wanted.name}"]`).click()
    await liu.locator('.el-message--success', { hasText: `${wanted.name} is now yours` }).waitFor()
    await liu.locator(`[data-claim="${wanted.name}"]`).waitFor({ state: 'detached' })
    assert.equal(await ownerOf(liu, wanted.id), me.id)

    // he releases the other one from its page, with a reason
    await liu.goto(`${BASE_URL}/#/customers/${other.id}`)
    await liu.locator('[data-test="customer-name"]', { hasText: other.name }).waitFor()
    await liu.locator('[data-action="more"]').click()
    await liu.locator('[data-action="release"]').click()
    const prompt = liu.locator('.reason-prompt')
    await prompt.waitFor()
    await prompt.locator('textarea, input').first().fill(`${tag} 客户转向进口产品 Buys imported wire now`)
    await prompt.locator('.el-button--primary').click()
    await liu.locator('[data-test="customer-head"]', { hasText: 'In the pool' }).waitFor()

    // a colleague sees it in the pool: previous owner, how, why; and may claim it
    await poolSearch(zhao, `${tag}释放`)
    await zhao.locator(`[data-previous-owner="${other.name}"]`, { hasText: '刘洋 Liu Yang' }).waitFor()
    const why = await zhao.locator(`[data-came-back="${other.name}"]`).innerText()
    assert.match(why, /Released by the owner/)
    assert.match(why, /Buys imported wire now/)
    await zhao.locator(`[data-claim="${other.name}"]`).waitFor()
    // liu himself waits out the reclaim period: no claim button, the date instead
    await poolSearch(liu, `${tag}释放`)
    const none = liu.locator(`[data-no-action="${other.name}"]`)
    await none.waitFor()
    assert.match(await none.innerText(), /Yours again from \d{4}-\d{2}-\d{2}/)
    assert.equal(await liu.locator(`[data-claim="${other.name}"]`).count(), 0)
    assert.deepEqual([...huang.problems, ...liu.problems, ...zhao.problems], [])
  } finally {
    await Promise.all([huang, liu, zhao].map((p) => p.context().close()))
  }
})

test('a manager batch-assigns customers to a salesperson and takes them back; the pool says who had them and why', async () => {
  const huang = await signedIn('huang')
  const zhao = await signedIn('zhao')
  try {
    const names = [`${tag} 分配甲`, `${tag} 分配乙`]
    const made = []
    for (const n of names) made.push(await poolCustomer(huang, n))
    const zid = (await apiCall(zhao, 'GET', '/me')).body.id

    // select both in the customer list and assign them to zhao
    await navigate(huang, 'customers')
    await typeSearch(huang, huang.locator('[data-test="customer-search"]'), `${tag} 分配`)
    const rows = huang.locator('[data-test="customers-table"] .el-table__body tr')
    for (const n of names) await rows.filter({ hasText: n }).first().waitFor()
    for (const n of names) await rows.filter({ hasText: n }).locator('.el-checkbox').first().click()
    await huang.locator('[data-test="batch-bar"]').filter({ hasText: '2' }).waitFor()
    await huang.locator('[data-action="batch-assign"]').click()
    const dlg = huang.locator('[data-test="batch-dialog"]')
    await dlg.waitFor()
    await choose(huang, dlg.locator('[data-test="assign-owner"]'), '赵磊')
    await dlg.locator('[data-action="batch-run"]').click()
    await dlg.waitFor({ state: 'hidden' })
    for (const c of made) assert.equal(await ownerOf(huang, c.id), zid, `${c.name} is zhao's`)

    // zhao finds them among his own, with the days left before take-back
    await navigate(zhao, 'customers')
    await typeSearch(zhao, zhao.locator('[data-test="customer-search"]'), `${tag} 分配`)
    for (const n of names) {
      const days = zhao.locator(`[data-takeback="${n}"]`)
      await days.waitFor()
      assert.match(await days.innerText(), /Back to the pool in \d+ days/)
    }

    // the manager takes them back, with a reason
    await typeSearch(huang, huang.locator('[data-test="customer-search"]'), `${tag} 分配`)
    for (const n of names) await rows.filter({ hasText: n }).filter({ hasText: '赵磊' }).first().waitFor()
    for (const n of names) await rows.filter({ hasText: n }).locator('.el-checkbox').first().click()
    await huang.locator('[data-test="batch-bar"]').filter({ hasText: '2' }).waitFor()
    await huang.locator('[data-action="batch-takeback"]').click()
    await dlg.waitFor()
    await dlg.locator('[data-test="batch-reason"]').fill(`${tag} 区域调整 Territory change`)
    await dlg.locator('[data-action="batch-run"]').click()
    await dlg.waitFor({ state: 'hidden' })
    for (const c of made) assert.equal(await ownerOf(huang, c.id), null, `${c.name} is in the pool`)

    // the pool shows zhao as the previous owner and the manager's reason
    await poolSearch(zhao, `${tag} 分配`)
    for (const n of names) {
      await zhao.locator(`[data-previous-owner="${n}"]`, { hasText: '赵磊 Zhao Lei' }).waitFor()
      const why = await zhao.locator(`[data-came-back="${n}"]`).innerText()
      assert.match(why, /Taken back by a manager/)
      assert.match(why, /Territory change/)
    }
    assert.deepEqual([...huang.problems, ...zhao.problems], [])
  } finally {
    await Promise.all([huang, zhao].map((p) => p.context().close()))
  }
})
