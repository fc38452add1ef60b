// Size floors of the wasm builds (issues 6 and 7): how small the npm main entry and the dashboard could get if whole
// parts of them went. Builds a throwaway copy of HEAD (a git worktree under the system's temp folder) in which each
// function named below starts with `if cfg!(CFG) { loop {} }`: built with `--cfg CFG`, the function diverges at once,
// so the linker drops everything only it reaches. Every build is measured the way the real ones are (wasm-bindgen,
// wasm-opt -Oz or Trunk's release pipeline, gzip -9), side by side in one run. Also measures the standard library
// rebuilt for size with panics as bare traps (`-Zbuild-std`, `-Cpanic=immediate-abort`: unstable, through
// RUSTC_BOOTSTRAP, needs the rust-src component). Nothing here ships; it only answers "would it fit?".
//
//   node bench/size-floors.mjs            (after scripts/setup; about 12 minutes on two cores)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
  // `client`: the npm main entry's asynchronous exports (every MachinesClient call, and runs through the engine): what
  // a split npm build could load on first use, leaving the synchronous exports (validation, planners) in the module
  // every import loads.
  size_floor_client: {
    "src/js/api.rs": [
      "list_apps",
      "create_app",
      "list_machines",
      "get_machine",
      "list_secrets",
      "update_secrets",
      "get_app",
      "snapshot",
      "run",
    ],
    "src/engine/mod.rs": ["run"],
  },
  // `screens`: every dashboard screen but the shell, Apps and App → Machines (with `logic`: the main module a dashboard
  // split by screen would load for a link to an app's machines).
  size_floor_screens: {
    "web/src/pages/config.rs": ["ConfigTab"],
    "web/src/pages/deploy.rs": ["DeployTab"],
    "web/src/pages/group_board.rs": ["GroupBoard"],
    "web/src/pages/launch.rs": ["LaunchWizard"],
    "web/src/pages/machine_detail.rs": ["MachineDetail"],
    "web/src/pages/machine_edit.rs": ["MachineEditor"],
    "web/src/pages/overview.rs": ["OverviewTab"],
    "web/src/pages/scale.rs": ["ScaleTab"],
    "web/src/pages/secrets.rs": ["SecretsTab"],
    "web/src/components/plan_preview.rs": ["PlanPreview"],
    "web/src/components/run_view.rs": ["RunView"],
  },
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
      const found = [];
      let pending = false;
      for (const line of lines) {
        out.push(line);
        const match = /^\s*pub (?:async )?fn (\w+)/.exec(line);
        if (match && names.includes(match[1])) {
          pending = true;
          found.push(match[1]);
        }
        if (pending && line.trimEnd().endsWith("{")) {
          out.push(`    #[allow(unreachable_code, unexpected_cfgs)] if cfg!(${cfg}) { loop {} }`);
          pending = false;
        }
      }
      const wrong = names.filter((name) => found.filter((one) => one === name).length !== 1);
      if (wrong.length) throw new Error(`${file}: not exactly one pub fn ${wrong.join(", ")}`);
      writeFileSync(path, out.join("\n"));
    }
  }
}

// gzip -9, as scripts/build-pkg and scripts/build-web measure (Node's zlib at level 9 comes out 0.5–0.7 % larger).
const gzipped = (path) => execFileSync("gzip", ["-9", "-c", path], { maxBuffer: 1 << 28 }).length;
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
  // The same wasm-opt step as scripts/build-pkg (scripts/lib.sh's optimize_wasm, from the copy's own scripts).
  run("bash", ["-c", 'source "$0/scripts/lib.sh" && optimize_wasm "$1" -Oz', tree, file]);
  return gzipped(file);
}

const dashboardFlags = (tree) =>
  run("bash", ["-c", 'source "$0/scripts/lib.sh" && printf %s "$DASHBOARD_RUSTFLAGS"', tree]);

// The dashboard as scripts/build-web makes it (Trunk release: cargo, wasm-bindgen, scripts/split-web).
function dashboardBuild(tree, target, rustflags, extraEnv = {}) {
  const dist = join(target, "dist");
  run("trunk", ["build", "--release", "--dist", dist], {
    cwd: tree,
    // RUSTFLAGS replaces .cargo/config.toml's flags: the dashboard's own (scripts/lib.sh's DASHBOARD_RUSTFLAGS, read
    // from the copy: Leptos's erase_components, relocations for scripts/split-web) come first.
    env: { ...env, ...extraEnv, CARGO_TARGET_DIR: target, RUSTFLAGS: `${dashboardFlags(tree)} ${rustflags}`.trim() },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // The main module (the split build's other modules load when their screens first open).
  const wasm = readdirSync(dist).find((name) => /^flightdeck-web-.*_bg\.wasm$/.test(name));
  return gzipped(join(dist, wasm));
}

const scratch = mkdtempSync(join(tmpdir(), "flightdeck-floors-"));
const tree = join(scratch, "tree");
const target = join(scratch, "target");
run("git", ["worktree", "add", "--detach", "--force", tree, "HEAD"], { cwd: root, stdio: "ignore" });
let addedRustSrc = false;
try {
  stub(tree);
  const base = "";
  const logic = "--cfg size_floor_logic";
  const none = `${logic} --cfg size_floor_decoding`;
  const npm = (feature, rustflags) => npmBuild(tree, join(target, "npm"), feature, rustflags);
  const web = (rustflags) => dashboardBuild(tree, join(target, "web"), rustflags);
  const main = npm("js", base);
  const mainLogic = npm("js", logic);
  const mainNone = npm("js", none);
  const mainSync = npm("js", "--cfg size_floor_client");
  const light = npm("js-config", base);
  const dashboard = web(base);
  const dashboardLogic = web(logic);
  const dashboardNone = web(none);
  const dashboardFirstChunk = web(`${logic} --cfg size_floor_screens`);

  // `-Zbuild-std` needs the standard library's sources. Installing them changes every later release build (rustc
  // then writes the local source path into panic locations instead of `/rustc/<hash>/`: +0.4 KB gzipped), so they
  // are added only for these two builds, after the others, and a component this run added is removed again.
  addedRustSrc = !run("rustup", ["component", "list", "--installed"]).includes("rust-src");
  if (addedRustSrc) run("rustup", ["component", "add", "rust-src"], { stdio: "ignore" });
  const unstable = { RUSTC_BOOTSTRAP: "1" };
  const smallStd = "-Zunstable-options -Cpanic=immediate-abort";
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
  row("npm main", "without the client's calls and the engine (the synchronous exports only)", mainSync, main);
  row("npm main", "std for size, panics as traps", mainStd, main);
  row("npm light", "size-tuned (release, -Oz) instead of speed-tuned", light);
  row("dashboard", "as built", dashboard);
  row("dashboard", "without fly.toml reading, planners, engine", dashboardLogic, dashboard);
  row("dashboard", "…and without typed JSON reads", dashboardNone, dashboard);
  row("dashboard", "the shell, Apps and Machines only, without logic (the split build's main module)", dashboardFirstChunk, dashboard);
  row("dashboard", "std for size, panics as traps", dashboardStd, dashboard);
} finally {
  if (addedRustSrc) run("rustup", ["component", "remove", "rust-src"], { stdio: "ignore" });
  run("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
  rmSync(scratch, { recursive: true, force: true });
}
