// The web face builds into the Python package, which serves it at / (see gambit.api.web).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: '../src/gambit/web/dist',
    emptyOutDir: true,
    // No inline scripts or data: modules: the server's Content-Security-Policy allows
    // scripts from its own origin only.
    assetsInlineLimit: 0,
  },
});
