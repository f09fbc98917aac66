// Vite build of the Tradeflow UI: web/dist/index.html + web/dist/assets/*,
// embedded into the server binary. Element Plus components are imported on
// demand; ECharts is loaded by a dynamic import, so it lands in its own chunk.
import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Where `npm run dev` / `npm run preview` forward /api and /healthz.
const api = process.env.TF_API_URL || 'http://127.0.0.1:18080'
const proxy = {
  '/api': { target: api, changeOrigin: false },
  '/healthz': { target: api, changeOrigin: false },
}

export default defineConfig({
  base: '/',
  // '@/x' is web/src/x: module folders import the shared parts by one path
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  plugins: [
    vue(),
    Components({
      dts: false,
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // Few, cacheable files: ECharts (reached only by a dynamic import, so
        // it loads when the dashboard chart first renders), the framework and
        // Element Plus, then one small chunk per page.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
})
