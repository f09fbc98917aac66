// money.js — the one place the UI turns money, and the other exact numbers
// the API carries as integers (quantities in thousandths, percentages in
// basis points, rates in millionths), into text and back. The UI never does
// arithmetic on floating-point yuan.

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** formatMoney(123456) → "¥1,234.56"; null/undefined → "—". */
export function formatMoney(minor, symbol = '¥') {
  if (minor === null || minor === undefined || minor === '') return '—'
  const n = Number(minor)
  if (!Number.isFinite(n)) return '—'
  const v = Math.trunc(n)
  const sign = v < 0 ? '-' : ''
  const abs = Math.abs(v)
  const major = Math.floor(abs / 100)
  const cents = String(abs % 100).padStart(2, '0')
  return `${sign}${symbol}${grouping.format(major)}.${cents}`
}

/** moneyInput(123456) → "1234.56": the value an input box shows for editing. */
export function moneyInput(minor) {
  if (minor === null || minor === undefined || minor === '') return ''
  return formatMoney(minor, '').replace(/,/g, '')
}

/**
 * parseMoney("1,234.5") → 123450; "" → null; invalid → NaN.
 * Parses the decimal text exactly (no float multiplication); at most two
 * decimals are accepted.
 */
export function parseMoney(text) {
  const s = String(text ?? '').trim().replace(/[,\s¥]/g, '')
  if (s === '') return null
  const m = /^(-)?(\d+)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return NaN
  const major = Number(m[2])
  const cents = Number((m[3] || '').padEnd(2, '0'))
  const v = major * 100 + cents
  if (!Number.isSafeInteger(v)) return NaN
  return m[1] ? -v : v
}

/**
 * decimalText(1500, 3) → "1.5", decimalText(550, 2) → "5.5": an integer count
 * of 10^-places as exact decimal text, without trailing zeros.
 */
export function decimalText(n, places) {
  const unit = 10 ** places
  const a = Math.abs(n)
  const frac = String(a % unit).padStart(places, '0').replace(/0+$/, '')
  return `${n < 0 ? '-' : ''}${Math.floor(a / unit)}${frac ? '.' + frac : ''}`
}

/**
 * parseDecimal("1.5", 3) → 1500: decimal text with at most `places` decimals
 * as an integer count of 10^-places, read exactly; "" → null; anything else
 * (a sign unless signed, too many decimals, beyond a safe integer) → NaN.
 */
export function parseDecimal(text, places, { signed = false } = {}) {
  const s = String(text ?? '').trim()
  if (s === '') return null
  const m = new RegExp(`^(-)?(\\d+)(?:\\.(\\d{0,${places}}))?$`).exec(s)
  if (!m || (m[1] && !signed)) return NaN
  const v = Number(m[2]) * 10 ** places + Number((m[3] || '').padEnd(places, '0'))
  if (!Number.isSafeInteger(v)) return NaN
  return m[1] ? -v : v
}
