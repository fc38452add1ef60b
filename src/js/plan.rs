//! Plans for JavaScript: `planDeploy`, `planScaleCount`, `planAppRestart`, `driftReport`. JSON in, the core's
//! planners, JSON out; a plan that cannot be made throws a `FlightdeckError` with code `plan`.

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{from_js, invalid_argument, js_error, string_arg, to_js};
use crate::api::{Machine, Volume};
use crate::config::AppConfig;
use crate::plan::{self, DeployInput, DeployOptions, PlanError, ScaleCountOptions, ScaleDownOrder, Strategy};

fn plan_error(error: &PlanError) -> JsValue {
    js_error("plan", &error.to_string(), None, None)
}

fn config_arg(value: JsValue) -> Result<AppConfig, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument("config must be the `config` object that validateConfig returns"));
    }
    from_js(value, "config")
}

fn list_arg<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<Vec<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(&value) {
        return Err(invalid_argument(format!("{what} must be an array")));
    }
    from_js(value, what)
}

fn options_arg<T: for<'de> Deserialize<'de> + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() {
        return Err(invalid_argument(format!("{what} must be an object")));
    }
    from_js(value, what)
}

/// `planDeploy`'s options, as flyctl's flags in camelCase.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct DeployOptionsInput {
    app: Option<String>,
    app_deployed: Option<bool>,
    strategy: Option<String>,
    image: Option<String>,
    max_unavailable: Option<f64>,
    max_concurrent: Option<usize>,
    ha: Option<bool>,
    update_only: bool,
    skip_release_command: bool,
    detach: bool,
    start_stopped: bool,
    adopt: bool,
    first_deploy: bool,
    bluegreen_hold: bool,
    wait_timeout_secs: Option<u64>,
    release_command_timeout_secs: Option<u64>,
    smoke_checks: Option<bool>,
    spearhead: Option<bool>,
}

/// The deploy plan of `config` over the app's `machines` and `volumes` (as the API lists them).
#[wasm_bindgen(js_name = planDeploy)]
pub fn plan_deploy(config: JsValue, machines: JsValue, volumes: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    let input: DeployOptionsInput = options_arg(options, "options")?;
    let strategy = match input.strategy.as_deref() {
        Some(text) => Some(Strategy::parse(text).ok_or_else(|| {
            invalid_argument(format!("strategy {text:?}: use rolling, immediate, canary or bluegreen"))
        })?),
        None => None,
    };
    let defaults = DeployOptions::default();
    let options = DeployOptions {
        strategy,
        image: input.image,
        max_unavailable: input.max_unavailable,
        max_concurrent: input.max_concurrent.unwrap_or(defaults.max_concurrent),
        ha: input.ha.unwrap_or(defaults.ha),
        update_only: input.update_only,
        skip_release_command: input.skip_release_command,
        detach: input.detach,
        start_stopped: input.start_stopped,
        adopt: input.adopt,
        first_deploy: input.first_deploy,
        bluegreen_hold: input.bluegreen_hold,
        wait_timeout_secs: input.wait_timeout_secs,
        release_command_timeout_secs: input.release_command_timeout_secs,
        smoke_checks: input.smoke_checks.unwrap_or(defaults.smoke_checks),
        spearhead: input.spearhead.unwrap_or(defaults.spearhead),
    };
    let app = input.app.or_else(|| config.app.clone()).unwrap_or_default();
    let deployed = input.app_deployed.unwrap_or(!machines.is_empty());
    let plan_input =
        DeployInput { app: &app, config: &config, machines: &machines, volumes: &volumes, app_deployed: deployed };
    let plan = plan::plan_deploy(&plan_input, &options).map_err(|e| plan_error(&e))?;
    to_js(&plan)
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct ScaleOptionsInput {
    app: Option<String>,
    regions: Vec<String>,
    max_per_region: Option<usize>,
    /// `"idle_first"` (default) or `"api_order"`.
    order: Option<ScaleDownOrder>,
    force: bool,
    image: Option<String>,
}

/// The plan of `scale count` for `counts` (`["web=3", "worker=+1"]` or `"3"`).
#[wasm_bindgen(js_name = planScaleCount)]
pub fn plan_scale_count(
    config: JsValue,
    machines: JsValue,
    volumes: JsValue,
    counts: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    let counts: Vec<String> =
        if counts.is_string() { vec![string_arg(&counts, "counts")?] } else { list_arg(counts, "counts")? };
    let input: ScaleOptionsInput = options_arg(options, "options")?;
    let args: Vec<&str> = counts.iter().map(String::as_str).collect();
    let counts = plan::parse_counts(&args, &config.default_group()).map_err(|e| plan_error(&e))?;
    let options = ScaleCountOptions {
        regions: input.regions,
        max_per_region: input.max_per_region,
        order: input.order.unwrap_or_default(),
        force: input.force,
        image: input.image,
    };
    let app = input.app.or_else(|| config.app.clone()).unwrap_or_default();
    let plan =
        plan::plan_scale_count(&app, &config, &machines, &volumes, &counts, &options).map_err(|e| plan_error(&e))?;
    to_js(&plan)
}

/// The plan of `apps restart`: started managed machines, one at a time.
#[wasm_bindgen(js_name = planAppRestart)]
pub fn plan_app_restart(app: JsValue, machines: JsValue) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    to_js(&plan::plan_app_restart(&app, &machines))
}

/// Drift of `machines` from `config` and the desired counts (`{ group: { region: count } }`).
#[wasm_bindgen(js_name = driftReport)]
pub fn drift_report(config: JsValue, machines: JsValue, desired: JsValue) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let desired: plan::DesiredCounts = options_arg(desired, "desired counts")?;
    to_js(&plan::drift(&config, &machines, &desired))
}
