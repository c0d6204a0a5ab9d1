// Bundles the front end into static/dist/ with esbuild. `--watch` rebuilds on change.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const options = {
  entryPoints: {
    app: "static/src/app.css",
    pages: "static/src/pages.js",
    editor: "static/src/editor/main.js",
  },
  outdir: "static/dist",
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: !watch,
  sourcemap: true,
  logLevel: "info",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
