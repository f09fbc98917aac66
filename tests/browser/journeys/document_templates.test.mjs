// document_templates.test.mjs — the administrator replaces a printable
// document's template in the browser: Settings › Documents, a PDF layout for
// contracts with a misspelt placeholder is refused and the page names it; a
// corrected one is taken ("Uploaded: ..."); "Back to built-in" brings the
// built-in one back. It works on the contract templates only (quotation
// journeys print quotations meanwhile) and resets them whatever happens.
//   tests/one.sh tests/browser/journeys/document_templates.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, newPage, login, navigate, BASE_URL } from '../lib.mjs'

let browser, dir
before(async () => {
  browser = await launch()
  dir = mkdtempSync(join(tmpdir(), 'tf-tpl-'))
})
after(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

const layout = (placeholder) => JSON.stringify({ blocks: [{ type: 'text', text: `合同 ${placeholder}`, style: 'title' }] })

async function chooseFile(page, button, file) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), button.click()])
  await chooser.setFiles(file)
}

test('an administrator replaces the contract PDF layout, is told of a bad placeholder, and goes back to the built-in one', async () => {
  const page = await newPage(browser)
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await login(page)
  try {
    await navigate(page, 'documentTemplates')
    const row = page.locator('[data-template="contract.pdf"]')
    await row.getByText('Built-in template').waitFor()

    const bad = join(dir, 'contract-bad.json')
    writeFileSync(bad, layout('{{numbr}}'))
    await chooseFile(page, row.locator('[data-action="upload"]'), bad)
    await row.locator('[data-test="template-error"]').getByText('unknown placeholder {{numbr}}').waitFor()
    await row.getByText('Built-in template').waitFor()

    const good = join(dir, 'contract-layout.json')
    writeFileSync(good, layout('{{number}}'))
    await chooseFile(page, row.locator('[data-action="upload"]'), good)
    await row.getByText('Uploaded: contract-layout.json').waitFor()
    assert.equal(await row.locator('[data-test="template-error"]').count(), 0)

    await row.locator('[data-action="reset"]').click()
    await row.getByText('Built-in template').waitFor()
    assert.deepEqual(errors, [])
  } finally {
    // leave the shared server as it was, even when a step failed
    await page.evaluate(async (base) => {
      await fetch(`${base}/api/v1/document-templates/contract/pdf`, {
        method: 'DELETE', headers: { 'X-CSRF-Token': sessionStorage.getItem('tf.csrf') || '' }, credentials: 'same-origin',
      })
    }, BASE_URL)
    await page.close()
  }
})
