// Vite build for the static web app in web/: two HTML entries (patient portal, clinic
// console) built into web/dist, which nginx serves under a strict CSP.
//
//   web/dist/portal/index.html   served for /<code> and /<code>/...
//   web/dist/console/index.html  served for /console/
//   web/dist/assets/*            hashed JS, CSS and images, referenced as /assets/...
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const web = fileURLToPath(new URL('./web/', import.meta.url));

export default defineConfig({
  root: web,
  base: '/',
  publicDir: false, // every asset goes through the bundler and lands in /assets/
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be an inline <script>, which the CSP (script-src 'self') refuses.
    modulePreload: { polyfill: false },
    // Keep every asset a file: no data: URLs for fonts or icons the CSP might not allow.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        portal: `${web}portal/index.html`,
        console: `${web}console/index.html`,
      },
    },
  },
});
