// Rollup's getting-started configuration with @rollup/plugin-node-resolve, as it stands
// (tests/bundlers/build.mjs only points --dir at target/).
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default {
  input: "app/main.js",
  output: { dir: "dist", format: "es" },
  plugins: [nodeResolve()],
};
