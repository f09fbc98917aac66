// i18n.js — vue-i18n set up for English and Simplified Chinese; the choice is
// kept in localStorage and defaults to the browser's language.
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import en from './locales/en.js'
import zhCN from './locales/zh-CN.js'

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
