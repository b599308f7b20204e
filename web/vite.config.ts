import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// `vite build web` builds the browser client into web/dist, which `parley serve` serves at /.
// `vite web` runs it with hot reload against a server on localhost:8080.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': { target: 'http://localhost:8080', ws: true } },
  },
});
