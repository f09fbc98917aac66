// useSetting.js — load and save one company setting (GET / PUT
// /settings/{key}) for the settings tabs: the form, busy flag, field errors.
import { reactive, ref } from 'vue'
import { api } from '@/api.js'
import { i18n } from '@/i18n.js'
import { localFieldErrors, problemText, showError, showSuccess } from '@/errors.js'

export function useSetting(key, { toForm = (v) => v, toBody = (f) => f, onSaved = () => {} } = {}) {
  const form = reactive({})
  const loading = ref(false)
  const busy = ref(false)
  const error = ref('')
  const errors = ref({})

  async function load() {
    loading.value = true
    error.value = ''
    try {
      Object.assign(form, toForm(await api.get(`/settings/${key}`)))
    } catch (e) {
      error.value = problemText(e)
    } finally {
      loading.value = false
    }
  }

  async function save() {
    busy.value = true
    errors.value = {}
    try {
      const v = await api.put(`/settings/${key}`, toBody(form))
      Object.assign(form, toForm(v))
      showSuccess(i18n.global.t('common.saved'))
      onSaved(v)
    } catch (e) {
      errors.value = localFieldErrors(e)
      showError(e)
    } finally {
      busy.value = false
    }
  }

  return { form, loading, busy, error, errors, load, save }
}
