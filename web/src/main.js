// main.js — boots the UI: i18n, router, global styles.
import { createApp } from 'vue'
import App from '@/App.vue'
import { i18n } from '@/i18n.js'
import { router } from '@/router.js'
import { onUnauthorized } from '@/api.js'
import { forget } from '@/session.js'
import '@/styles.css'

onUnauthorized(() => {
  forget()
  const current = router.currentRoute.value
  if (!current.meta.public) {
    router.replace({ name: 'login', query: { redirect: current.fullPath } })
  }
})

createApp(App).use(i18n).use(router).mount('#app')
