// Unit tests of pure modules (parsers, encoders, the frame pacer, the settings): plain Node, not the Workers pool, because the
// code under test uses nothing but the language and runs the same in both.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/unit/fast-check-seed.ts"],
  },
});
