// format.js — dates and small display helpers shared by the pages.

function pad(n) {
  return String(n).padStart(2, '0')
}

/** "2025-03-01T08:05:00Z" → "2025-03-01 16:05" in the browser's time zone. */
export function formatDateTime(value) {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Same as formatDateTime but only the date part. */
export function formatDate(value) {
  const s = formatDateTime(value)
  return s.length > 10 ? s.slice(0, 10) : s
}

/** Initial letter(s) for an avatar. */
export function initials(name) {
  const s = String(name || '').trim()
  if (!s) return '?'
  const parts = s.split(/\s+/)
  // Chinese name (e.g. "张伟" or "张伟 Zhang Wei"): the surname character.
  if (/^[\u3400-\u9fff]/.test(parts[0])) return parts[0][0]
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase()
}
