// money.js — the one place the UI turns money into text and back.
// The API carries money as integer minor units (fen/cents); the UI never does
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
