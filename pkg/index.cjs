// The flightdeck npm package for CommonJS (`require("flightdeck")`): wasm-bindgen's Node glue, which loads the
// WebAssembly core synchronously. Same exports as the ES module entry; no logic here.
"use strict";
module.exports = {
  ...require("./wasm-cjs/flightdeck.js"),
  ...require("./wasm-cjs/events.js"),
  ...require("./wasm-cjs/errors.js"),
};
