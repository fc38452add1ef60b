// Size floors of the wasm builds (issues 6 and 7): how small the npm main entry and the dashboard could get if whole
// parts of them went. Builds a throwaway copy of HEAD (a git worktree under the system's temp folder) in which each
// function named below starts with `if cfg!(CFG) { loop {} }`: built with `--cfg CFG`, the function diverges at once,
// so the linker drops everything only it reaches. Every build is measured the way the real ones are (wasm-bindgen,
// wasm-opt -Oz or Trunk's release pipeline, gzip -9), side by side in one run. Also measures the standard library
// rebuilt for size with panics as bare traps (`-Zbuild-std`, `-Cpanic=immediate-abort`: unstable, through
// RUSTC_BOOTSTRAP, needs the rust-src component). Nothing here ships; it only answers "would it fit?".
// The copy's path is longer than the repository's, and panic locations carry paths, so its builds are a few KB
// larger than the real ones: compare the ratios.
//
//   node bench/size-floors.mjs            (after scripts/setup; about 10 minutes on two cores)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  PATH: `${join(root, "pkg/node_modules/.bin")}:${process.env.HOME}/.cargo/bin:${process.env.PATH}`,
  TRUNK_SKIP_VERSION_CHECK: "true",
};

// What each floor cuts out. `logic`: every entry point into fly.toml reading, the planners and the engine (what the
// dashboard would no longer run if a server planned and ran for it). `decoding`: every typed JSON read.
const STUBS = {
  size_floor_logic: {
    "src/config/mod.rs": ["parse", "validate"],
    "src/config/write.rs": ["to_toml"],
    "src/engine/mod.rs": ["run"],
    "src/plan/drift.rs": ["drift"],
    "src/plan/deploy.rs": [
      "plan_deploy",
      "plan_bluegreen_switch",
      "plan_secrets_deploy",
      "plan_image_update",
      "plan_app_restart",
    ],
    "src/plan/machine.rs": [
      "plan_clone",
      "plan_machine_update",
      "plan_stop",
      "plan_restart",
      "plan_start",
      "plan_remove",
      "plan_machines_command",
      "plan_assign_group",
    ],
    "src/plan/scale.rs": ["plan_scale_count", "plan_scale_regions", "plan_scale_vm"],
    "src/plan/from_machines.rs": ["config_from_machines"],
    "src/plan/launch.rs": ["plan_launch"],
  },
  size_floor_decoding: { "src/json.rs": ["from_json", "from_value"] },
};

function run(command, args, options = {}) {
  return execFileSync(command, args, { env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
}

// Inserts the cfg-gated divergence at the top of each named function's body; fails loudly if a name is not found
// (the list has gone stale).
function stub(tree) {
  for (const [cfg, files] of Object.entries(STUBS)) {
    for (const [file, names] of Object.entries(files)) {
      const path = join(tree, file);
      const lines = readFileSync(path, "utf8").split("\n");
      const out = [];
      const found = new Set();
      let pending = false;
      for (const line of lines) {
        out.push(line);
        const match = /^pub (?:async )?fn (\w+)/.exec(line);
        if (match && names.includes(match[1])) {
          pending = true;
          found.add(match[1]);
        }
        if (pending && line.trimEnd().endsWith("{")) {
          out.push(`    #[allow(unreachable_code, unexpected_cfgs)] if cfg!(${cfg}) { loop {} }`);
          pending = false;
        }
      }
      const missing = names.filter((name) => !found.has(name));
      if (missing.length) throw new Error(`${file}: no pub fn ${missing.join(", ")}`);
      writeFileSync(path, out.join("\n"));
    }
  }
}

const gzipped = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

// The npm main entry as scripts/build-pkg makes it: cargo (release), wasm-bindgen --target web, wasm-opt -Oz.
function npmBuild(tree, target, feature, rustflags, extra = [], extraEnv = {}) {
  run(
    "cargo",
    ["build", "--quiet", "--lib", "--release", "--target", "wasm32-unknown-unknown", "-p", "flightdeck", "--features", feature]
      .concat(["--target-dir", target], extra),
    { cwd: tree, env: { ...env, ...extraEnv, RUSTFLAGS: rustflags }, stdio: ["ignore", "ignore", "inherit"] },
  );
  const out = join(target, "bound");
  rmSync(out, { recursive: true, force: true });
  const wasm = join(target, "wasm32-unknown-unknown/release/flightdeck.wasm");
  run("wasm-bindgen", ["--target", "web", "--out-dir", out, "--out-name", "flightdeck", wasm]);
  const file = join(out, "flightdeck_bg.wasm");
  run("wasm-opt", [
    "-Oz",
    "--strip-debug",
    "--strip-producers",
    ...["bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals", "reference-types", "multivalue"].map(
      (feature) => `--enable-${feature}`,
    ),
    file,
    "-o",
    file,
  ]);
  return gzipped(file);
}

// The dashboard as scripts/build-web makes it (Trunk release: cargo, wasm-bindgen, wasm-opt -Oz).
function dashboardBuild(tree, target, rustflags, extraEnv = {}) {
  const dist = join(target, "dist");
  run("trunk", ["build", "--release", "--dist", dist], {
    cwd: tree,
    env: { ...env, ...extraEnv, CARGO_TARGET_DIR: target, RUSTFLAGS: rustflags },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const wasm = readdirSync(dist).find((name) => name.endsWith(".wasm"));
  return gzipped(join(dist, wasm));
}

const scratch = mkdtempSync(join(tmpdir(), "flightdeck-floors-"));
const tree = join(scratch, "tree");
const target = join(scratch, "target");
run("git", ["worktree", "add", "--detach", "--force", tree, "HEAD"], { cwd: root, stdio: "ignore" });
let addedRustSrc = false;
try {
  stub(tree);
  // RUSTFLAGS replaces .cargo/config.toml's flags, so the dashboard's `erase_components` is repeated.
  const base = "--cfg erase_components";
  const logic = `${base} --cfg size_floor_logic`;
  const none = `${logic} --cfg size_floor_decoding`;
  const npm = (feature, rustflags) => npmBuild(tree, join(target, "npm"), feature, rustflags);
  const web = (rustflags) => dashboardBuild(tree, join(target, "web"), rustflags);
  const main = npm("js", base);
  const mainLogic = npm("js", logic);
  const mainNone = npm("js", none);
  const light = npm("js-config", base);
  const dashboard = web(base);
  const dashboardLogic = web(logic);
  const dashboardNone = web(none);

  // `-Zbuild-std` needs the standard library's sources. Installing them changes every later release build (rustc
  // then writes the local source path into panic locations instead of `/rustc/<hash>/`: +0.4 KB gzipped), so they
  // are added only for these two builds, after the others, and a component this run added is removed again.
  addedRustSrc = !run("rustup", ["component", "list", "--installed"]).includes("rust-src");
  if (addedRustSrc) run("rustup", ["component", "add", "rust-src"], { stdio: "ignore" });
  const unstable = { RUSTC_BOOTSTRAP: "1" };
  const smallStd = `${base} -Zunstable-options -Cpanic=immediate-abort`;
  const mainStd = npmBuild(tree, join(target, "npm-std"), "js", smallStd, ["-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size"], unstable);
  const dashboardStd = dashboardBuild(tree, join(target, "web-std"), smallStd, {
    ...unstable,
    CARGO_UNSTABLE_BUILD_STD: "std,panic_abort",
    CARGO_UNSTABLE_BUILD_STD_FEATURES: "optimize_for_size",
  });

  const row = (build, what, bytes, reference) =>
    console.log(`| ${build} | ${what} | ${kb(bytes)} | ${reference ? `${(bytes / reference).toFixed(3)}×` : ""} |`);
  console.log("| build | variant | wasm gzipped | vs as built |\n|---|---|---|---|");
  row("npm main", "as built", main);
  row("npm main", "without fly.toml reading, planners, engine", mainLogic, main);
  row("npm main", "…and without typed JSON reads", mainNone, main);
  row("npm main", "std for size, panics as traps", mainStd, main);
  row("npm light", "size-tuned (release, -Oz) instead of speed-tuned", light);
  row("dashboard", "as built", dashboard);
  row("dashboard", "without fly.toml reading, planners, engine", dashboardLogic, dashboard);
  row("dashboard", "…and without typed JSON reads", dashboardNone, dashboard);
  row("dashboard", "std for size, panics as traps", dashboardStd, dashboard);
} finally {
  if (addedRustSrc) run("rustup", ["component", "remove", "rust-src"], { stdio: "ignore" });
  run("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
  rmSync(scratch, { recursive: true, force: true });
}
