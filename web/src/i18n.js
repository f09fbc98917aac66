// i18n.js — vue-i18n set up for English and Simplified Chinese: the shared
// strings in src/locales/, each module's in its folder; the choice is
// kept in localStorage and defaults to the browser's language.
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
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

/** Switch the UI language and remember it. */
export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  localStorage.setItem(KEY, locale)
  document.documentElement.lang = locale
}

export const currentLocale = computed(() => i18n.global.locale.value)
