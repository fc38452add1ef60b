//! Any bytes as the inputs of every planner: a real fly.toml (from the corpus and flyctl's fixtures), the machines and
//! volumes an API could list (ids that repeat, machines without configs, unknown states, foreign groups, volumes
//! attached elsewhere, odd sizes), and each command's options and counts (huge, negative, NaN). Nothing may panic,
//! hang or run out of memory, and every plan made must be runnable as it is:
//! - every pool runs at least one action at a time;
//! - every existing machine a plan touches is one of the machines it was given;
//! - every planned machine a later action names is created by the plan;
//! - a deploy that does not adopt leaves machines that Fly Launch does not manage alone;
//! - a scale plan brings no group past `MAX_MACHINES_PER_GROUP`.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use flightdeck::api::{Machine, MachineState, Volume};
use flightdeck::config::AppConfig;
use flightdeck::plan::{self, Action, DeployInput, DeployOptions, Plan, Strategy, Target};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

#[path = "shared_data.rs"]
mod shared_data;

/// Configs to plan from: every fly.toml of the shared test data that parses (with whatever diagnostics), and a few
/// written for what the planners branch on (groups, mounts, checks, release commands, strategies).
static CONFIGS: LazyLock<Vec<AppConfig>> = LazyLock::new(|| {
    let mut texts: Vec<String> = [
        "app = 'a'\nprimary_region = 'iad'\n[build]\nimage = 'nginx'\n[http_service]\ninternal_port = 80\n",
        "app = 'a'\nprimary_region = 'syd'\n[build]\nimage = 'nginx'\n[processes]\nweb = 'w'\nworker = 'k'\n\
         [[services]]\ninternal_port = 8080\nprocesses = ['web']\n[[services.ports]]\nport = 80\n\
         [mounts]\nsource = 'data'\ndestination = '/data'\nprocesses = ['worker']\n",
        "app = 'a'\n[build]\nimage = 'nginx'\n[deploy]\nstrategy = 'bluegreen'\nrelease_command = 'migrate'\n\
         [http_service]\ninternal_port = 80\n[[http_service.checks]]\npath = '/'\ninterval = '5s'\ntimeout = '2s'\n",
        "app = 'a'\n[deploy]\nstrategy = 'canary'\nmax_unavailable = 0.5\n[[vm]]\nsize = 'performance-2x'\n",
    ]
    .map(str::to_owned)
    .to_vec();
    texts.extend(shared_data::fly_tomls());
    texts.iter().map(|text| flightdeck::config::parse(text).config).collect()
});

const REGIONS: &[&str] = &["iad", "syd", "fra", "ams", "gru", "", " ", "zzz"];
const STATES: &[&str] = &[
    "created",
    "starting",
    "started",
    "stopping",
    "stopped",
    "suspending",
    "suspended",
    "replacing",
    "replaced",
    "destroying",
    "destroyed",
    "failed",
    "launching",
    "",
];
const IMAGES: &[&str] = &["nginx", "registry.fly.io/a:deployment-1", "", "nginx@sha256:00"];

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    Ok(from[u.choose_index(from.len())?])
}

fn maybe<T>(u: &mut Unstructured<'_>, value: impl FnOnce(&mut Unstructured<'_>) -> Result<T>) -> Result<Option<T>> {
    if u.arbitrary()? { value(u).map(Some) } else { Ok(None) }
}

/// A small count most of the time, sometimes one no app could hold.
fn count(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0 => format!("+{}", u.int_in_range(1..=5)?),
        1 => format!("-{}", u.int_in_range(1..=5)?),
        2 => u.arbitrary::<u64>()?.to_string(),
        3 => format!("{:+}", u.arbitrary::<i64>()?),
        4 => "x".to_owned(),
        _ => u.int_in_range(0..=6)?.to_string(),
    })
}

fn state(name: &str) -> MachineState {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).unwrap_or_default()
}

struct World {
    config: AppConfig,
    groups: Vec<String>,
    ids: Vec<String>,
    machines: Vec<Machine>,
    volumes: Vec<Volume>,
}

fn world(u: &mut Unstructured<'_>) -> Result<World> {
    let config = CONFIGS[u.choose_index(CONFIGS.len())?].clone();
    let mut groups = config.process_names();
    groups.extend(["ghost", "fly_app_release_command", ""].map(str::to_owned));
    let ids: Vec<String> = (0..8).map(|i| format!("m{i}")).collect();
    let mut machines = Vec::new();
    for _ in 0..u.int_in_range(0..=9)? {
        let group = groups[u.choose_index(groups.len())?].clone();
        let machine_config = if u.ratio(1, 8)? {
            None
        } else {
            let mut c = config.machine_config(&group, None).unwrap_or_default();
            match u.int_in_range(0..=3)? {
                0 => {}
                1 => drop(c.metadata.remove("fly_platform_version")),
                2 => drop(c.metadata.remove("fly_process_group")),
                _ => drop(c.metadata.insert("fly_platform_version".into(), "v1".into())),
            }
            c.image = pick(u, IMAGES)?.to_owned();
            for mount in &mut c.mounts {
                mount.volume = maybe(u, |u| Ok(format!("vol_{}", u.int_in_range(0..=4)?)))?.unwrap_or_default();
            }
            if u.ratio(1, 4)? {
                c.guest = None;
            } else if u.ratio(1, 4)?
                && let Some(guest) = &mut c.guest
            {
                guest.cpus = u.arbitrary()?;
                guest.memory_mb = u.arbitrary()?;
            }
            if u.ratio(1, 6)? {
                c.services.clear();
            }
            Some(c)
        };
        let id = ids[u.choose_index(ids.len())?].clone();
        machines.push(Machine {
            name: pick(u, &["", "web-1", "m1", "x"])?.to_owned(),
            state: state(pick(u, STATES)?),
            region: pick(u, REGIONS)?.to_owned(),
            instance_id: format!("v{}", u.int_in_range(0..=3)?),
            config: machine_config,
            host_status: maybe(u, |u| Ok(pick(u, &["ok", "unreachable"])?.to_owned()))?,
            id,
            ..Machine::default()
        });
    }
    let mut names: Vec<String> = config.mounts.iter().map(|m| m.source.clone()).collect();
    names.extend(["data", "other"].map(str::to_owned));
    let mut volumes = Vec::new();
    for k in 0..u.int_in_range(0..=5)? {
        volumes.push(Volume {
            id: format!("vol_{k}"),
            name: names[u.choose_index(names.len())?].clone(),
            state: pick(u, &["created", "destroyed", "pending_destroy", "extending"])?.to_owned(),
            size_gb: u.int_in_range(0..=600)?,
            region: pick(u, REGIONS)?.to_owned(),
            attached_machine_id: maybe(u, |u| Ok(ids[u.choose_index(ids.len())?].clone()))?,
            ..Volume::default()
        });
    }
    Ok(World { config, groups, ids, machines, volumes })
}

fn deploy_options(u: &mut Unstructured<'_>) -> Result<DeployOptions> {
    let strategies = [Strategy::Rolling, Strategy::Immediate, Strategy::Canary, Strategy::Bluegreen];
    Ok(DeployOptions {
        strategy: maybe(u, |u| Ok(strategies[u.choose_index(strategies.len())?]))?,
        image: maybe(u, |u| Ok(pick(u, IMAGES)?.to_owned()))?,
        max_unavailable: maybe(u, |u| {
            Ok(match u.int_in_range(0..=4)? {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -1.0,
                3 => f64::from(u.int_in_range(0..=20)?),
                _ => f64::from(u.int_in_range(0..=100)?) / 100.0,
            })
        })?,
        max_concurrent: u.int_in_range(0..=10)?,
        ha: u.arbitrary()?,
        update_only: u.arbitrary()?,
        skip_release_command: u.arbitrary()?,
        detach: u.arbitrary()?,
        start_stopped: u.arbitrary()?,
        adopt: u.arbitrary()?,
        first_deploy: u.arbitrary()?,
        bluegreen_hold: u.arbitrary()?,
        wait_timeout_secs: maybe(u, |u| u.arbitrary())?,
        release_command_timeout_secs: maybe(u, |u| u.arbitrary())?,
        smoke_checks: u.arbitrary()?,
        spearhead: u.arbitrary()?,
    })
}

/// The invariants every plan keeps (the module header); `unmanaged` are machines the plan must leave alone.
fn check(what: &str, plan: &Plan, world: &World, unmanaged: &BTreeSet<&str>) {
    let given: BTreeSet<&str> = world.machines.iter().map(|m| m.id.as_str()).collect();
    let created: BTreeSet<&str> = plan
        .phases
        .iter()
        .flat_map(|p| p.actions())
        .filter_map(|a| match a {
            Action::Create { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    for phase in &plan.phases {
        for pool in &phase.pools {
            assert!(pool.concurrency >= 1, "{what}: pool {} runs nothing at a time", pool.label);
            for action in &pool.actions {
                if let Some(machine) = action.existing_machine() {
                    assert!(
                        given.contains(machine.id.as_str()),
                        "{what}: {} names a machine it was not given",
                        action.describe()
                    );
                    assert!(
                        !unmanaged.contains(machine.id.as_str()),
                        "{what}: {} touches an unmanaged machine",
                        action.describe()
                    );
                }
                let planned = match action {
                    Action::Start { machine: Target::Planned { key, .. }, .. }
                    | Action::Stop { machine: Target::Planned { key, .. }, .. }
                    | Action::Cordon { machine: Target::Planned { key, .. } }
                    | Action::Uncordon { machine: Target::Planned { key, .. } }
                    | Action::SetMetadata { machine: Target::Planned { key, .. }, .. }
                    | Action::Destroy { machine: Target::Planned { key, .. }, .. } => Some(key.as_str()),
                    Action::Create { standby_for: Some(key), .. } if !given.contains(key.as_str()) => {
                        Some(key.as_str())
                    }
                    _ => None,
                };
                if let Some(key) = planned {
                    assert!(
                        created.contains(key),
                        "{what}: {} names a machine the plan never creates",
                        action.describe()
                    );
                }
            }
        }
    }
    let _ = plan.describe();
}

fn plans(u: &mut Unstructured<'_>) -> Result<()> {
    let world = world(u)?;
    let config = &world.config;
    let machines = &world.machines[..];
    let volumes = &world.volumes[..];
    let none = BTreeSet::new();
    let id = |u: &mut Unstructured<'_>| -> Result<String> {
        Ok(if u.ratio(1, 8)? { "nope".to_owned() } else { world.ids[u.choose_index(world.ids.len())?].clone() })
    };
    let group =
        |u: &mut Unstructured<'_>| -> Result<String> { Ok(world.groups[u.choose_index(world.groups.len())?].clone()) };

    let options = deploy_options(u)?;
    let input = DeployInput { app: "a", config, machines, volumes, app_deployed: u.arbitrary()? };
    if let Ok(plan) = plan::plan_deploy(&input, &options) {
        let unmanaged: BTreeSet<&str> = if options.adopt {
            BTreeSet::new()
        } else {
            machines.iter().filter(|m| plan::is_unmanaged(m)).map(|m| m.id.as_str()).collect()
        };
        // A machine id that repeats may be managed in one listing and not in the other: only unambiguous ids count.
        let managed: BTreeSet<&str> =
            machines.iter().filter(|m| !plan::is_unmanaged(m)).map(|m| m.id.as_str()).collect();
        let unmanaged = unmanaged.difference(&managed).copied().collect();
        check("deploy", &plan, &world, &unmanaged);
    }

    let regions: Vec<String> =
        (0..u.int_in_range(0..=3)?).map(|_| pick(u, REGIONS).map(str::to_owned)).collect::<Result<_>>()?;
    let scale_options = plan::ScaleCountOptions {
        regions,
        max_per_region: maybe(u, |u| Ok(if u.arbitrary()? { usize::MAX } else { u.int_in_range(0..=4)? }))?,
        order: if u.arbitrary()? { plan::ScaleDownOrder::IdleFirst } else { plan::ScaleDownOrder::ApiOrder },
        force: u.arbitrary()?,
        image: maybe(u, |u| Ok(pick(u, IMAGES)?.to_owned()))?,
    };
    let mut args = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        args.push(if u.ratio(1, 4)? { count(u)? } else { format!("{}={}", group(u)?, count(u)?) });
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Ok(counts) = plan::parse_counts(&args, config.default_group_name())
        && let Ok(plan) = plan::plan_scale_count("a", config, machines, volumes, &counts, &scale_options)
    {
        check("scale count", &plan, &world, &none);
        assert!(plan.expected_counts.values().all(|&n| n <= plan::MAX_MACHINES_PER_GROUP));
    }
    let mut desired: plan::DesiredCounts = BTreeMap::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let cells = desired.entry(group(u)?).or_default();
        for _ in 0..u.int_in_range(0..=3)? {
            let n = if u.ratio(1, 10)? { u.arbitrary()? } else { u.int_in_range(0..=5)? };
            cells.insert(pick(u, REGIONS)?.to_owned(), n);
        }
    }
    if let Ok(plan) = plan::plan_scale_regions("a", config, machines, volumes, &desired, &scale_options) {
        check("scale regions", &plan, &world, &none);
        assert!(plan.expected_counts.values().all(|&n| n <= plan::MAX_MACHINES_PER_GROUP));
    }
    let _ = plan::drift(config, machines, &desired);

    let sizes: Vec<&str> = flightdeck::config::PRESETS.iter().map(|p| p.name).chain(["bogus", ""]).collect();
    let vm = plan::ScaleVmOptions {
        size: maybe(u, |u| Ok(pick(u, &sizes)?.to_owned()))?,
        memory_mb: maybe(u, |u| u.arbitrary())?,
        group: maybe(u, group)?,
    };
    if let Ok(plan) = plan::plan_scale_vm("a", config, machines, &vm) {
        check("scale vm", &plan, &world, &none);
    }

    let clone = plan::CloneOptions {
        region: maybe(u, |u| Ok(pick(u, REGIONS)?.to_owned()))?,
        group: maybe(u, group)?,
        name: maybe(u, |u| Ok(pick(u, &["", "copy", "web-1"])?.to_owned()))?,
        clear_auto_destroy: u.arbitrary()?,
        clear_cmd: u.arbitrary()?,
        override_cmd: maybe(u, |u| Ok(pick(u, &["", "sh -c 'echo hi'", "unterminated '"])?.to_owned()))?,
        volume: if u.arbitrary()? {
            plan::CloneVolume::SameName
        } else {
            plan::CloneVolume::Attach(format!("vol_{}", u.int_in_range(0..=6)?))
        },
    };
    let with_config = if u.arbitrary()? { Some(config) } else { None };
    if let Ok(plan) = plan::plan_clone("a", with_config, machines, volumes, &id(u)?, &clone) {
        check("clone", &plan, &world, &none);
    }
    let mut update = plan::MachineUpdateOptions {
        cpus: maybe(u, |u| u.arbitrary())?,
        memory_mb: maybe(u, |u| u.arbitrary())?,
        cpu_kind: maybe(u, |u| Ok(pick(u, &["shared", "performance", "", "gpu"])?.to_owned()))?,
        image: maybe(u, |u| Ok(pick(u, IMAGES)?.to_owned()))?,
        ..Default::default()
    };
    if u.arbitrary()? {
        update.metadata.insert("fly_process_group".into(), group(u)?);
    }
    if u.arbitrary()? {
        update.env.insert(pick(u, &["FOO", "", "FLY_PROCESS_GROUP"])?.to_owned(), "1".into());
    }
    if let Ok(plan) = plan::plan_machine_update("a", machines, &id(u)?, &update) {
        check("machine update", &plan, &world, &none);
    }
    let signal = maybe(u, |u| Ok(pick(u, &["SIGINT", "", "BOGUS"])?.to_owned()))?;
    for (what, result) in [
        ("stop", plan::plan_stop("a", machines, &id(u)?, signal.as_deref())),
        ("start", plan::plan_start("a", machines, &id(u)?)),
        ("restart", plan::plan_restart("a", machines, &id(u)?)),
        ("remove", plan::plan_remove("a", machines, &id(u)?, u.arbitrary()?)),
        ("bluegreen switch", plan::plan_bluegreen_switch("a", machines, u.int_in_range(0..=5)?)),
    ] {
        if let Ok(plan) = result {
            check(what, &plan, &world, &none);
        }
    }
    let chosen: Vec<String> = (0..u.int_in_range(0..=3)?).map(|_| id(u)).collect::<Result<_>>()?;
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    if let Ok(plan) = plan::plan_assign_group(&input, &chosen, &group(u)?, &options) {
        check("assign group", &plan, &world, &none);
    }
    check("secrets", &plan::plan_secrets_deploy("a", machines, u.arbitrary()?, &options), &world, &none);
    check("image update", &plan::plan_image_update("a", machines, pick(u, IMAGES)?, &options), &world, &none);
    check("restart app", &plan::plan_app_restart("a", machines), &world, &none);

    let rebuilt = plan::config_from_machines("a", machines);
    let _ = flightdeck::config::to_toml(&rebuilt);
    if let (Some(a), Some(b)) =
        (machines.first().and_then(|m| m.config.as_ref()), machines.last().and_then(|m| m.config.as_ref()))
    {
        let _ = plan::config_changes(a, b);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = plans(&mut Unstructured::new(data));
});
