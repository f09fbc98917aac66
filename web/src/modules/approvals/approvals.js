// approvals.js — the approvals module's helpers: a failed decision as a
// sentence in the UI's language (who decided first and when, a changed
// request, field errors), built from the problem's codes rather than the
// server's English detail.
import { i18n } from '@/i18n.js'
import { formatDateTime } from '@/format.js'
import { localFieldErrors, problemText } from '@/errors.js'

const t = (k, p) => i18n.global.t(k, p)

/** The sentence for a failed approve / reject / cancel / load. */
export function approvalProblemText(e) {
  const p = (e && e.problem) || {}
  const by = (p.decided_by && p.decided_by.name) || '?'
  const at = formatDateTime(p.decided_at)
  if (e && e.status === 409) {
    if (p.reason === 'already_decided' && ['approve', 'reject', 'cancel'].includes(p.decision)) {
      const key = { approve: 'alreadyApprove', reject: 'alreadyReject', cancel: 'alreadyCancel' }[p.decision]
      return t(`approvals.err.${key}`, { name: by, at })
    }
    if (p.reason === 'moved_on') return t('approvals.err.movedOn', { name: by, at })
    if (p.code === 'version_conflict') return t('approvals.err.changed')
    if (p.detail === 'the document could not take this decision') return t('approvals.err.documentRefused')
  }
  if (e && e.status === 403) return t('approvals.err.forbidden')
  if (e && e.status === 404) return t('approvals.err.notFound')
  if (e && (e.status === 422 || e.status === 400) && e.errors && e.errors.length) {
    const errs = localFieldErrors(e)
    return Object.entries(errs)
      .map(([field, message]) => {
        const key = `approvals.fields.${field}`
        return t('approvals.err.field', { field: i18n.global.te(key) ? t(key) : field, message })
      })
      .join(' ')
  }
  return problemText(e)
}
