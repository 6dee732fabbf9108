// The web face builds into the Python package, which serves it at / (see gambit.api.web),
// with the bundles of the API's /docs and /redoc pages beside it: nothing comes from a CDN.
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const OUT = resolve(__dirname, '../src/gambit/web/dist');

const DOCS_ASSETS = [
  'swagger-ui-dist/swagger-ui-bundle.js',
  'swagger-ui-dist/swagger-ui.css',
  'swagger-ui-dist/favicon-32x32.png',
  'redoc/bundles/redoc.standalone.js',
];

function docsAssets(): Plugin {
  return {
    name: 'gambit-docs-assets',
    closeBundle() {
      mkdirSync(resolve(OUT, 'docs-assets'), { recursive: true });
      for (const asset of DOCS_ASSETS) {
        const name = asset.split('/').at(-1) as string;
        copyFileSync(resolve(__dirname, 'node_modules', asset), resolve(OUT, 'docs-assets', name));
      }
    },
  };
}

export default defineConfig({
  plugins: [docsAssets()],
  build: {
    outDir: OUT,
    emptyOutDir: true,
    // No inline scripts or data: modules: the server's Content-Security-Policy allows
    // scripts from its own origin only.
    assetsInlineLimit: 0,
  },
});
