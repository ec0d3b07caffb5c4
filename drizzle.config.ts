import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads every table file; the app never imports this file.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/**/*.table.ts',
  out: './migrations',
  casing: 'snake_case',
});
