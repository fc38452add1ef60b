// The light fly.toml entry for CommonJS (`require("flightdeck/config")`): wasm-bindgen's Node glue of the fly.toml-only
// build, loaded synchronously. Same exports as the ES module entry (config.js); no logic here.
"use strict";
module.exports = {
  ...require("./wasm-config-cjs/flightdeck.js"),
  ...require("./wasm-config-cjs/errors.js"),
};
