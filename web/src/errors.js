// errors.js — turns an ApiError into a sentence for the user and shows it.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { i18n } from '@/i18n.js'

/** The text to show for a failed request: the server's detail first. */
export function problemText(e) {
  const t = i18n.global.t
  if (!e) return t('errors.generic', { status: '?' })
  if (e.status === 0) return t('errors.network')
  if (e.detail) return e.detail
  if (e.status === 403) return t('errors.forbidden')
  if (e.status === 409) return t('errors.conflict')
  if (e.title) return e.title
  return t('errors.generic', { status: e.status || '?' })
}

/** Field errors of a 422/400 reply as {field: message}. */
export function fieldErrors(e) {
  const out = {}
  for (const fe of (e && e.errors) || []) {
    if (fe && fe.field && !out[fe.field]) out[fe.field] = fe.message || fe.code
  }
  return out
}

/**
 * Field errors as {field: message} in the UI's language: the server's
 * message, which it writes in the user's language; in Chinese, should the
 * server's message still be English (a text its catalogue lacks), the UI's
 * own words for the error's code when it has them.
 */
export function localFieldErrors(e) {
  const out = {}
  const zh = i18n.global.locale.value === 'zh-CN'
  for (const fe of (e && e.errors) || []) {
    if (!fe || !fe.field || out[fe.field]) continue
    const key = `fieldErrors.${fe.code}`
    const english = !/[\u3400-\u9fff]/.test(fe.message || '')
    out[fe.field] = zh && english && fe.code && i18n.global.te(key) ? i18n.global.t(key) : fe.message || fe.code
  }
  return out
}

/**
 * The server's detail when it is in the UI's language; otherwise (a Chinese
 * UI and a detail with no Chinese in it) the UI's own text for the case.
 */
export function detailOr(e, fallbackKey) {
  const t = i18n.global.t
  const zh = i18n.global.locale.value === 'zh-CN'
  if (e && e.detail && !(zh && fallbackKey && !/[\u3400-\u9fff]/.test(e.detail))) return e.detail
  return fallbackKey ? t(fallbackKey) : problemText(e)
}

export function showError(e) {
  ElMessage({ type: 'error', message: problemText(e), showClose: true, duration: 5000 })
}

export function showSuccess(message) {
  ElMessage({ type: 'success', message, duration: 2000 })
}
