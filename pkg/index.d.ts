// Types come from the declarations wasm-bindgen generates from the Rust facade; nothing is kept by hand here.
export { MachinesClient, version } from "./wasm/flightdeck.js";
