//! Plans for JavaScript: `planDeploy`, `planScaleCount`, `planAppRestart`, `driftReport`. JSON in, the core's
//! planners, JSON out; a plan that cannot be made throws a `FlightdeckError` with code `plan`.

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::config::config_arg;
use super::plans::{plan_arg, plan_to_js};
use super::{from_js, invalid_argument, js_error, string_arg, to_js};
use crate::api::{Machine, Volume};
use crate::plan::{self, DeployInput, DeployOptions, PlanError, ScaleCountOptions, ScaleDownOrder, Strategy};

fn plan_error(error: &PlanError) -> JsValue {
    js_error("plan", &error.to_string(), None, None)
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
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PlanDeployOptions {
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
#[wasm_bindgen(js_name = planDeploy, unchecked_return_type = "Plan")]
pub fn plan_deploy(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Volume[]")] volumes: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanDeployOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    let input: PlanDeployOptions = options_arg(options, "options")?;
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
    plan_to_js(plan)
}

#[derive(Deserialize, Default)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PlanScaleCountOptions {
    app: Option<String>,
    regions: Vec<String>,
    max_per_region: Option<usize>,
    /// `"idle_first"` (default) or `"api_order"`.
    order: Option<ScaleDownOrder>,
    force: bool,
    image: Option<String>,
}

/// The plan of `scale count` for `counts` (`["web=3", "worker=+1"]` or `"3"`).
#[wasm_bindgen(js_name = planScaleCount, unchecked_return_type = "Plan")]
pub fn plan_scale_count(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Volume[]")] volumes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] counts: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanScaleCountOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    let counts: Vec<String> =
        if counts.is_string() { vec![string_arg(&counts, "counts")?] } else { list_arg(counts, "counts")? };
    let input: PlanScaleCountOptions = options_arg(options, "options")?;
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
    plan_to_js(plan)
}

/// `planScaleRegions`'s options: those of `planScaleCount` but `regions` and `maxPerRegion`, which the per-region
/// counts themselves say (passing them is an error, not silently ignored).
#[derive(Deserialize, Default)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PlanScaleRegionsOptions {
    app: Option<String>,
    /// `"idle_first"` (default) or `"api_order"`.
    order: Option<ScaleDownOrder>,
    force: bool,
    image: Option<String>,
}

/// The plan of per-region counts for each group at once (the dashboard's scale grid):
/// `planScaleRegions(config, machines, volumes, { web: { iad: 4, fra: 2 } }, { force?, order?, image? })`.
#[wasm_bindgen(js_name = planScaleRegions, unchecked_return_type = "Plan")]
pub fn plan_scale_regions(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Volume[]")] volumes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, Record<string, number>>")] desired: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanScaleRegionsOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    if !desired.is_object() {
        return Err(invalid_argument("desired counts must be an object: { group: { region: count } }"));
    }
    let desired: plan::DesiredCounts = from_js(desired, "desired counts")?;
    let input: PlanScaleRegionsOptions = options_arg(options, "options")?;
    let options = ScaleCountOptions {
        order: input.order.unwrap_or_default(),
        force: input.force,
        image: input.image,
        ..ScaleCountOptions::default()
    };
    let app = input.app.or_else(|| config.app.clone()).unwrap_or_default();
    plan_to_js(
        plan::plan_scale_regions(&app, &config, &machines, &volumes, &desired, &options).map_err(|e| plan_error(&e))?,
    )
}

/// The plan of `apps restart`: started managed machines, one at a time.
#[wasm_bindgen(js_name = planAppRestart, unchecked_return_type = "Plan")]
pub fn plan_app_restart(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    plan_to_js(plan::plan_app_restart(&app, &machines))
}

/// Drift of `machines` from `config` and the desired counts (`{ group: { region: count } }`).
#[wasm_bindgen(js_name = driftReport, unchecked_return_type = "Drift")]
pub fn drift_report(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Record<string, Record<string, number>>")] desired: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let desired: plan::DesiredCounts = options_arg(desired, "desired counts")?;
    to_js(&plan::drift(&config, &machines, &desired))
}

fn machines_and_name(machines: JsValue, machine: &JsValue) -> Result<(Vec<Machine>, String), JsValue> {
    Ok((list_arg(machines, "machines")?, string_arg(machine, "machine")?))
}

#[derive(Deserialize, Default)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PlanCloneOptions {
    region: Option<String>,
    group: Option<String>,
    name: Option<String>,
    clear_auto_destroy: bool,
    clear_cmd: bool,
    override_cmd: Option<String>,
    attach_volume: Option<String>,
}

/// `fly machine clone`: `planClone(app, config | null, machines, volumes, machine, { region, group, name,
/// clearAutoDestroy, clearCmd, overrideCmd, attachVolume })`.
#[wasm_bindgen(js_name = planClone, unchecked_return_type = "Plan")]
pub fn plan_clone(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AppConfig | null")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Volume[]")] volumes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] machine: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanCloneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let config = if config.is_null() || config.is_undefined() { None } else { Some(config_arg(config)?) };
    let (machines, machine) = machines_and_name(machines, &machine)?;
    let volumes: Vec<Volume> = list_arg(volumes, "volumes")?;
    let input: PlanCloneOptions = options_arg(options, "options")?;
    let options = plan::CloneOptions {
        region: input.region,
        group: input.group,
        name: input.name,
        clear_auto_destroy: input.clear_auto_destroy,
        clear_cmd: input.clear_cmd,
        override_cmd: input.override_cmd,
        volume: input.attach_volume.map_or(plan::CloneVolume::SameName, plan::CloneVolume::Attach),
    };
    plan_to_js(
        plan::plan_clone(&app, config.as_ref(), &machines, &volumes, &machine, &options).map_err(|e| plan_error(&e))?,
    )
}

#[derive(Deserialize, Default)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PlanMachineUpdateOptions {
    cpus: Option<u32>,
    memory_mb: Option<u32>,
    cpu_kind: Option<String>,
    metadata: std::collections::BTreeMap<String, String>,
    env: std::collections::BTreeMap<String, String>,
    image: Option<String>,
}

/// `fly machine update`: `planMachineUpdate(app, machines, machine, { cpus, memoryMb, cpuKind, metadata, env, image })`.
#[wasm_bindgen(js_name = planMachineUpdate, unchecked_return_type = "Plan")]
pub fn plan_machine_update(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] machine: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanMachineUpdateOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let (machines, machine) = machines_and_name(machines, &machine)?;
    let input: PlanMachineUpdateOptions = options_arg(options, "options")?;
    let options = plan::MachineUpdateOptions {
        cpus: input.cpus,
        memory_mb: input.memory_mb,
        cpu_kind: input.cpu_kind,
        metadata: input.metadata,
        env: input.env,
        image: input.image,
    };
    plan_to_js(plan::plan_machine_update(&app, &machines, &machine, &options).map_err(|e| plan_error(&e))?)
}

/// `fly machine stop|start|restart|remove ID...`: `planMachineCommand(app, machines, machine | machines,
/// "stop" | "start" | "restart" | "remove", { signal?, force? })`. Several machines (ids or names) are done one
/// after another; if one of them cannot be, nothing is planned.
#[wasm_bindgen(js_name = planMachineCommand, unchecked_return_type = "Plan")]
pub fn plan_machine_command(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] machine: JsValue,
    #[wasm_bindgen(unchecked_param_type = "\"stop\" | \"start\" | \"restart\" | \"remove\"")] command: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanMachineCommandOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    #[derive(Deserialize, Default)]
    #[cfg_attr(feature = "js", derive(tsify::Tsify))]
    #[serde(default, deny_unknown_fields)]
    struct PlanMachineCommandOptions {
        signal: Option<String>,
        force: bool,
    }
    let app = string_arg(&app, "app")?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let targets: Vec<String> = if js_sys::Array::is_array(&machine) {
        list_arg(machine, "machine")?
    } else {
        vec![string_arg(&machine, "machine")?]
    };
    let options: PlanMachineCommandOptions = options_arg(options, "options")?;
    let command = match string_arg(&command, "command")?.as_str() {
        "stop" => plan::MachineCommand::Stop { signal: options.signal },
        "start" => plan::MachineCommand::Start,
        "restart" => plan::MachineCommand::Restart,
        "remove" | "destroy" | "rm" => plan::MachineCommand::Remove { force: options.force },
        other => {
            return Err(invalid_argument(format!("unknown machine command {other:?}: stop, start, restart or remove")));
        }
    };
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    plan_to_js(plan::plan_machines_command(&app, &machines, &targets, &command).map_err(|e| plan_error(&e))?)
}

/// The config an app's machines describe, for an app without its fly.toml at hand: `configFromMachines(app,
/// machines)` (flyctl's fallback when an app has no release config; `scale` needs no fly.toml with it).
#[wasm_bindgen(js_name = configFromMachines, unchecked_return_type = "AppConfig")]
pub fn config_from_machines(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    to_js(&plan::config_from_machines(&app, &machines))
}

/// `fly scale vm SIZE [--memory MB] [-g GROUP]`: `planScaleVm(config, machines, { size?, memoryMb?, group? })`.
#[wasm_bindgen(js_name = planScaleVm, unchecked_return_type = "Plan")]
pub fn plan_scale_vm(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PlanScaleVmOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    #[derive(Deserialize, Default)]
    #[cfg_attr(feature = "js", derive(tsify::Tsify))]
    #[serde(default, rename_all = "camelCase", deny_unknown_fields)]
    struct PlanScaleVmOptions {
        app: Option<String>,
        size: Option<String>,
        memory_mb: Option<u32>,
        group: Option<String>,
    }
    let config = config_arg(config)?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let input: PlanScaleVmOptions = options_arg(options, "options")?;
    let app = input.app.or_else(|| config.app.clone()).unwrap_or_default();
    let options = plan::ScaleVmOptions { size: input.size, memory_mb: input.memory_mb, group: input.group };
    plan_to_js(plan::plan_scale_vm(&app, &config, &machines, &options).map_err(|e| plan_error(&e))?)
}

/// A restart-only deploy with new secrets: `planSecretsDeploy(app, machines, secretsVersion, options?)`.
#[wasm_bindgen(js_name = planSecretsDeploy, unchecked_return_type = "Plan")]
pub fn plan_secrets_deploy(
    #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Machine[]")] machines: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] version: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PlanDeployOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let app = string_arg(&app, "app")?;
    let machines: Vec<Machine> = list_arg(machines, "machines")?;
    let version = version
        .as_f64()
        .filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0 && *v <= 9_007_199_254_740_991.0)
        .ok_or_else(|| invalid_argument("secretsVersion must be a whole number"))? as u64;
    let input: PlanDeployOptions = options_arg(options, "options")?;
    let strategy = input.strategy.as_deref().and_then(Strategy::parse);
    let options = DeployOptions { strategy, detach: input.detach, ..DeployOptions::default() };
    plan_to_js(plan::plan_secrets_deploy(&app, &machines, version, &options))
}

/// `launch`: `planLaunch({ app, org, image, internalPort, region, vmSize?, singleMachine? })` → `{ flyToml, plan }`.
#[wasm_bindgen(js_name = planLaunch, unchecked_return_type = "PlannedLaunch")]
pub fn plan_launch(
    #[wasm_bindgen(unchecked_param_type = "PlanLaunchRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    #[derive(Deserialize)]
    #[cfg_attr(feature = "js", derive(tsify::Tsify))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct PlanLaunchRequest {
        app: String,
        #[serde(default = "personal")]
        org: String,
        image: String,
        internal_port: u32,
        region: String,
        #[serde(default)]
        vm_size: Option<String>,
        #[serde(default)]
        single_machine: bool,
    }
    fn personal() -> String {
        "personal".to_owned()
    }
    if !request.is_object() {
        return Err(invalid_argument("planLaunch needs { app, image, internalPort, region }"));
    }
    let input: PlanLaunchRequest = from_js(request, "planLaunch")?;
    let launch = plan::plan_launch(&plan::LaunchRequest {
        app: input.app,
        org: input.org,
        image: input.image,
        internal_port: input.internal_port,
        region: input.region,
        vm_size: input.vm_size,
        single_machine: input.single_machine,
    })
    .map_err(|e| plan_error(&e))?;
    /// What `planLaunch` returns: the fly.toml to write, and the plan that creates the app and its machine.
    // The TypeScript declaration only: the object is made below, around the issued plan.
    #[cfg_attr(feature = "js", derive(tsify::Tsify))]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)] // never built in Rust: it describes the object made below
    struct PlannedLaunch {
        fly_toml: String,
        plan: plan::Plan,
    }
    // The plan in it is one JavaScript can run: the issued object, made once.
    let planned = js_sys::Object::new();
    js_sys::Reflect::set(&planned, &JsValue::from_str("flyToml"), &JsValue::from_str(&launch.fly_toml))?;
    js_sys::Reflect::set(&planned, &JsValue::from_str("plan"), &plan_to_js(launch.plan)?)?;
    Ok(planned.into())
}

/// The plan as a person reads it (phases, actions, changes): `describePlan(plan)`.
#[wasm_bindgen(js_name = describePlan)]
pub fn describe_plan(#[wasm_bindgen(unchecked_param_type = "Plan")] plan: JsValue) -> Result<String, JsValue> {
    Ok(plan_arg(&plan, "describePlan")?.describe())
}

/// The flyctl-style line of an event `run` handed over (`null` for events that print nothing): its `line`.
#[wasm_bindgen(js_name = eventLine)]
pub fn event_line(
    #[wasm_bindgen(unchecked_param_type = "RunEvent")] event: JsValue,
) -> Result<Option<String>, JsValue> {
    if !event.is_object() {
        return Err(invalid_argument("eventLine needs an event"));
    }
    let line = js_sys::Reflect::get(&event, &JsValue::from_str("line")).unwrap_or(JsValue::UNDEFINED);
    if line.is_null() {
        return Ok(None);
    }
    line.as_string()
        .map(Some)
        .ok_or_else(|| invalid_argument("eventLine takes an event that run handed over (it has a `line`)"))
}
