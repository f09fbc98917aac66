// viewport.js — one shared, reactive "is this a phone-width screen" flag.
import { ref } from 'vue'

const query = window.matchMedia('(max-width: 767px)')
export const isPhone = ref(query.matches)
query.addEventListener('change', (e) => {
  isPhone.value = e.matches
})
