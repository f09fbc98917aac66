// i18n.js — vue-i18n set up for English and Simplified Chinese: the shared
// strings in src/locales/, each module's in its folder. The choice is kept
// in localStorage (before sign-in: the browser's language) and, once a user
// makes it, on their profile (PATCH /me {lang}): the UI comes up in the
// saved language at their next sign-in anywhere, and the server writes to
// them in it (its replies, files and mails).
import { createI18n } from 'vue-i18n'
import { computed, watch } from 'vue'
import { api } from '@/api.js'
import { session } from '@/session.js'
import en from '@/locales/en.js'
import zhCN from '@/locales/zh-CN.js'

// A module keeps its own strings beside its pages: src/modules/<m>/locale.en.js
// and locale.zh-CN.js, each `export default { ... }`, merged over the shared ones.
const moduleLocales = import.meta.glob('./modules/*/locale.*.js', { eager: true })

function merge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object') merge(into[k], v)
    else into[k] = v
  }
  return into
}
for (const [path, mod] of Object.entries(moduleLocales).sort()) {
  const lang = path.match(/locale\.(.+)\.js$/)[1]
  merge(lang === 'en' ? en : zhCN, mod.default)
}

const KEY = 'tf.locale'
export const LOCALES = ['en', 'zh-CN']

function initialLocale() {
  const saved = localStorage.getItem(KEY)
  if (LOCALES.includes(saved)) return saved
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'en'
  return /^zh/i.test(nav) ? 'zh-CN' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
})

document.documentElement.lang = i18n.global.locale.value

function apply(locale) {
  i18n.global.locale.value = locale
  localStorage.setItem(KEY, locale)
  document.documentElement.lang = locale
}

/**
 * Switch the UI language and remember it: in this browser, and on the
 * signed-in user's profile. Resolves when the profile has it (a failure to
 * save leaves the switch done here only).
 */
export async function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  apply(locale)
  const user = session.user
  if (!user || user.lang === locale) return
  try {
    const me = await api.patch('/me', { lang: locale })
    if (session.user === user) user.lang = me && me.lang
  } catch {
    /* offline or signed out meanwhile: the choice stays in this browser */
  }
}

// The user's saved language wins when they sign in (or /me answers).
watch(
  () => session.user && session.user.lang,
  (lang) => {
    if (LOCALES.includes(lang) && lang !== i18n.global.locale.value) apply(lang)
  },
  { immediate: true },
)

export const currentLocale = computed(() => i18n.global.locale.value)
