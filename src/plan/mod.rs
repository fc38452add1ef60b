//! Plans: what a deploy, a scale, a restart or a machine command will do, computed before anything happens.
//!
//! Every planner here is a pure, synchronous function of the parsed fly.toml, the machines and volumes the API
//! listed, and options; none does I/O. A [`Plan`] is a list of [`Phase`]s run one after the other; a phase is a set
//! of [`Pool`]s run side by side; a pool runs its [`Action`]s with bounded concurrency, optionally one "spearhead"
//! first. The engine (`crate::engine`) executes plans; the dashboard and the CLI print them (see
//! [`Plan::describe`]) and show each update's [`Change`]s.
//!
//! The behaviour is flyctl's (`reference/flyctl-behaviour.md` §B–§D) except where §F lists a defect, which we fix
//! and say so where it happens: canaries serve traffic until the roll is done (#4745), bluegreen can stop before
//! its traffic switch (#2672), an empty machine list for a deployed app is refused (§F.31), scale placement is
//! balanced across regions and scale-down takes idle machines first (#2163).

mod deploy;
mod diff;
mod drift;
mod from_machines;
mod launch;
mod machine;
mod scale;

pub use deploy::{
    DeployInput, DeployOptions, Strategy, plan_app_restart, plan_bluegreen_switch, plan_deploy, plan_image_update,
    plan_secrets_deploy,
};
pub use diff::{Change, config_changes};
pub use drift::{DesiredCounts, Drift, GroupDrift, MachineDrift, drift};
pub use from_machines::config_from_machines;
pub use launch::{Launch, LaunchRequest, plan_launch};
pub use machine::{
    CloneOptions, CloneVolume, MachineCommand, MachineUpdateOptions, plan_assign_group, plan_clone,
    plan_machine_update, plan_machines_command, plan_remove, plan_restart, plan_start, plan_stop,
};
pub use scale::{
    Count, GroupCount, ScaleCountOptions, ScaleDownOrder, ScaleVmOptions, parse_counts, plan_scale_count,
    plan_scale_regions, plan_scale_vm,
};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::{Machine, MachineState, Volume};
use crate::config::{ConversionError, META_PLATFORM_VERSION, PLATFORM_VERSION, RESERVED_GROUPS};
use crate::machine::MachineConfig;

/// Leases taken by deploys: short, refreshed while the deploy runs (flyctl's 13 s, #1728).
pub const DEPLOY_LEASE_TTL_SECS: u64 = 13;
/// Leases taken by other commands (scale, restart, machine commands), as flyctl.
pub const COMMAND_LEASE_TTL_SECS: u64 = 120;
/// How long the engine waits for a machine's state and health checks unless told otherwise (flyctl's 5 min).
pub const DEFAULT_WAIT_TIMEOUT_SECS: u64 = 300;
/// Metadata key of bluegreen's green machines until the traffic switch.
pub const META_BLUEGREEN: &str = "fly_bluegreen_deployment_tag";
/// How many of one machine's changes [`Plan::describe`] lists.
const MAX_CHANGES_SHOWN: usize = 12;
/// The most machines a scale plan brings one process group to. A count beyond it is a typo (`web=30000`) or a hostile
/// input, and would build millions of actions: out of memory in wasm, which aborts the module.
pub const MAX_MACHINES_PER_GROUP: usize = 10_000;
/// Metadata key of canary machines.
pub const META_CANARY: &str = "fly_canary";

/// A machine as a plan names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct MachineRef {
    pub id: String,
    pub name: String,
    pub group: String,
    pub region: String,
    pub state: String,
}

impl MachineRef {
    /// How a plan's text names the machine: its id, and its name when it has one ("0e286039f42e86 (web-iad-1)"), so
    /// a person checks a destroy against the name they know.
    pub fn shown(&self) -> String {
        if self.name.is_empty() || self.name == self.id {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.name)
        }
    }

    pub fn of(machine: &Machine) -> Self {
        Self {
            id: machine.id.clone(),
            name: machine.name.clone(),
            group: group_of(machine).to_owned(),
            region: machine.region.clone(),
            state: machine.state.as_str().to_owned(),
        }
    }
}

/// A machine an action acts on: one that exists, or one an earlier action of the same plan creates (by its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Existing(MachineRef),
    Planned { key: String, group: String, region: String },
}

impl Target {
    pub fn group(&self) -> &str {
        match self {
            Target::Existing(machine) => &machine.group,
            Target::Planned { group, .. } => group,
        }
    }

    /// How the target reads in a sentence: the machine id, or the planned machine's key.
    pub fn label(&self) -> &str {
        match self {
            Target::Existing(machine) => &machine.id,
            Target::Planned { key, .. } => key,
        }
    }

    /// How a plan's text names the target: an existing machine with its name ([`MachineRef::shown`]), a planned
    /// one by its key.
    pub fn shown(&self) -> String {
        match self {
            Target::Existing(machine) => machine.shown(),
            Target::Planned { key, .. } => key.clone(),
        }
    }
}

/// Where a new machine's volume comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VolumeChoice {
    /// An unattached volume that exists.
    Existing { id: String, name: String },
    /// A volume the engine creates first.
    New { name: String, region: String, size_gb: u64 },
}

/// What the engine waits for after an action, before the action counts as done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Wait {
    /// Wait until the machine is started (or, for a machine left stopped, stopped).
    pub state: bool,
    /// Then a smoke check: the machine must not crash right after starting.
    pub smoke: bool,
    /// Then every health check passing.
    pub healthy: bool,
}

impl Wait {
    pub const NONE: Wait = Wait { state: false, smoke: false, healthy: false };
    pub const FULL: Wait = Wait { state: true, smoke: true, healthy: true };
    pub const STATE: Wait = Wait { state: true, smoke: false, healthy: false };
}

/// Why a machine is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The first machine of a group.
    New,
    /// The second machine of a group with services (flyctl's high availability).
    HighAvailability,
    /// A stopped standby for the group's first machine (groups without services).
    Standby,
    /// A canary that serves traffic until the roll is done.
    Canary,
    /// A bluegreen green.
    Green,
    /// A copy of a group's machine (scale up, clone).
    Clone,
    /// A machine that replaces an existing one (a mount change the API cannot make in place).
    Replacement,
}

/// Reads an action's machine config through a JSON value rather than through the buffered content serde uses for an
/// internally tagged enum like [`Action`]: the machine config's decoder (the largest in the crate) is then the one
/// `crate::json` compiles for every typed read, not another for that buffer (BENCHMARKS.md, issue 6).
fn config_through_value<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Arc<MachineConfig>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    crate::json::from_value(value).map(Arc::new).map_err(serde::de::Error::custom)
}

/// One thing the engine does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Creates the app (launch).
    CreateApp {
        name: String,
        org: String,
    },
    /// Runs `[deploy] release_command` in a temporary machine to its exit code; a failure stops the plan and keeps
    /// the machine for debugging.
    RunReleaseCommand {
        command: String,
        region: Option<String>,
        #[serde(deserialize_with = "config_through_value")]
        config: Arc<MachineConfig>,
        timeout_secs: u64,
    },
    Create {
        /// Later actions name this machine by it.
        key: String,
        group: String,
        region: String,
        role: Role,
        #[serde(deserialize_with = "config_through_value")]
        config: Arc<MachineConfig>,
        /// Created stopped.
        skip_launch: bool,
        /// Left out of the proxy's routing until uncordoned (bluegreen greens).
        cordoned: bool,
        volume: Option<VolumeChoice>,
        /// A standby names the machine it stands in for (a key of this plan or an id).
        standby_for: Option<String>,
        /// The machine's name; else the platform picks one.
        name: Option<String>,
        wait: Wait,
    },
    /// A config change in place (`replace: false`) or by destroying and recreating the machine in its region.
    Update {
        machine: MachineRef,
        #[serde(deserialize_with = "config_through_value")]
        config: Arc<MachineConfig>,
        changes: Arc<[Change]>,
        /// Started after the update (else left in its state: flyctl does not start stopped machines).
        start: bool,
        replace: bool,
        /// The replacement's volume when `replace` moves the machine to another volume.
        volume: Option<VolumeChoice>,
        /// Wait until the machine sees this secrets version (secrets deploys).
        min_secrets_version: Option<u64>,
        wait: Wait,
    },
    Restart {
        machine: MachineRef,
        wait: Wait,
    },
    Start {
        machine: Target,
        wait: Wait,
    },
    Stop {
        machine: Target,
        signal: Option<String>,
    },
    Cordon {
        machine: Target,
    },
    Uncordon {
        machine: Target,
    },
    SetMetadata {
        machine: Target,
        key: String,
        value: String,
    },
    /// Destroys a machine. Its volume, if any, is detached and kept: no plan ever destroys a volume.
    Destroy {
        machine: Target,
        force: bool,
        reason: String,
    },
}

impl Action {
    /// The existing machine this action changes (so the engine leases it), if any.
    pub fn existing_machine(&self) -> Option<&MachineRef> {
        match self {
            Action::Update { machine, .. }
            | Action::Restart { machine, .. }
            | Action::SetMetadata { machine: Target::Existing(machine), .. }
            | Action::Start { machine: Target::Existing(machine), .. }
            | Action::Stop { machine: Target::Existing(machine), .. }
            | Action::Cordon { machine: Target::Existing(machine) }
            | Action::Uncordon { machine: Target::Existing(machine) }
            | Action::Destroy { machine: Target::Existing(machine), .. } => Some(machine),
            _ => None,
        }
    }

    /// One line, as the plan preview prints it.
    pub fn describe(&self) -> String {
        match self {
            Action::CreateApp { name, org } => format!("create app {name} in organization {org}"),
            Action::RunReleaseCommand { command, region, .. } => {
                format!(
                    "run release_command `{command}` in a temporary machine in {}",
                    region.as_deref().unwrap_or("the platform's region")
                )
            }
            Action::Create { group, region, role, skip_launch, volume, config, .. } => {
                let what = match role {
                    Role::New => "create a machine",
                    Role::HighAvailability => "create a second machine for high availability",
                    Role::Standby => "create a standby machine",
                    Role::Canary => "create a canary machine (it serves traffic until the roll is done)",
                    Role::Green => "create a green machine",
                    Role::Clone => "clone a machine",
                    Role::Replacement => "create a replacement machine",
                };
                let volume = match volume {
                    Some(VolumeChoice::Existing { id, name }) => format!(", attaching volume {name} ({id})"),
                    Some(VolumeChoice::New { name, size_gb, .. }) => format!(", with a new {size_gb} GB volume {name}"),
                    None => String::new(),
                };
                let stopped = if *skip_launch { ", left stopped" } else { "" };
                let size = config.guest.clone().unwrap_or_else(crate::config::Guest::platform_default).size_label();
                format!("{what} in group {group}, region {region} ({size}){volume}{stopped}")
            }
            Action::Update { machine, changes, start, replace, min_secrets_version, .. } => {
                let how = if *replace { "replace" } else { "update" };
                let start = if *start { "" } else { " (left stopped)" };
                let n = changes.len();
                let plural = if n == 1 { "" } else { "s" };
                let what = match min_secrets_version {
                    Some(version) if n == 0 => format!("same config, with secrets version {version}"),
                    Some(version) => format!("{n} change{plural}, with secrets version {version}"),
                    None => format!("{n} change{plural}"),
                };
                format!("{how} machine {} [{}] in {}: {what}{start}", machine.shown(), machine.group, machine.region)
            }
            Action::Restart { machine, .. } => format!("restart machine {} [{}]", machine.shown(), machine.group),
            Action::Start { machine, .. } => format!("start machine {} [{}]", machine.shown(), machine.group()),
            Action::Stop { machine, .. } => format!("stop machine {} [{}]", machine.shown(), machine.group()),
            Action::Cordon { machine } => {
                format!("cordon machine {} [{}] (no new traffic)", machine.shown(), machine.group())
            }
            Action::Uncordon { machine } => {
                format!("uncordon machine {} [{}] (it takes traffic)", machine.shown(), machine.group())
            }
            Action::SetMetadata { machine, key, value } => format!("set {key}={value} on machine {}", machine.shown()),
            Action::Destroy { machine, reason, .. } => {
                format!("destroy machine {} [{}]: {reason}", machine.shown(), machine.group())
            }
        }
    }
}

/// Actions run side by side, at most `concurrency` at a time; with `spearhead`, the first runs alone and must
/// succeed before the others start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Pool {
    pub label: String,
    pub concurrency: usize,
    pub spearhead: bool,
    pub actions: Vec<Action>,
}

/// Pools run side by side; the phase ends when all have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Phase {
    pub title: String,
    pub pools: Vec<Pool>,
    /// On a failure, destroy the machines this phase created (bluegreen's greens) before reporting it.
    pub rollback_created: bool,
}

impl Phase {
    fn new(title: impl Into<String>, pools: Vec<Pool>) -> Self {
        Self {
            title: title.into(),
            pools: pools.into_iter().filter(|p| !p.actions.is_empty()).collect(),
            rollback_created: false,
        }
    }

    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.pools.iter().flat_map(|p| &p.actions)
    }
}

/// What an operation will do, for a person to read and for the engine to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Plan {
    pub app: String,
    /// `deploy (rolling)`, `scale count`, `restart`, …
    pub operation: String,
    pub phases: Vec<Phase>,
    /// Machines the plan leaves alone on purpose (not managed by Fly Launch, or identical already).
    pub untouched: Vec<(MachineRef, String)>,
    pub warnings: Vec<String>,
    /// Live managed machines per process group once the plan has run: the engine checks it at the end.
    pub expected_counts: BTreeMap<String, usize>,
    pub lease_ttl_secs: u64,
    /// How long to wait for each machine's state and checks.
    pub wait_timeout_secs: u64,
}

impl Plan {
    fn new(app: &str, operation: impl Into<String>, lease_ttl_secs: u64) -> Self {
        Self {
            app: app.to_owned(),
            operation: operation.into(),
            lease_ttl_secs,
            wait_timeout_secs: DEFAULT_WAIT_TIMEOUT_SECS,
            ..Self::default()
        }
    }

    fn push(&mut self, phase: Phase) {
        if phase.pools.iter().any(|p| !p.actions.is_empty()) {
            self.phases.push(phase);
        }
    }

    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.phases.iter().flat_map(Phase::actions)
    }

    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        self.actions().next().is_none()
    }

    /// The plan as numbered lines for a person to read before it runs.
    pub fn describe(&self) -> String {
        let mut out = format!("{} of app {}:\n", self.operation, self.app);
        if self.is_empty() {
            out.push_str("  nothing to do: the app is already as wanted\n");
        }
        for (index, phase) in self.phases.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", index + 1, phase.title));
            for pool in &phase.pools {
                let spearhead = if pool.spearhead { ", the first alone" } else { "" };
                if phase.pools.len() > 1 || pool.concurrency > 1 {
                    out.push_str(&format!("   {} ({} at a time{spearhead}):\n", pool.label, pool.concurrency));
                }
                for action in &pool.actions {
                    out.push_str(&format!("   - {}\n", action.describe()));
                    if let Action::Update { changes, .. } = action {
                        for change in changes.iter().take(MAX_CHANGES_SHOWN) {
                            out.push_str(&format!("       {change}\n"));
                        }
                        if changes.len() > MAX_CHANGES_SHOWN {
                            out.push_str(&format!("       … and {} more\n", changes.len() - MAX_CHANGES_SHOWN));
                        }
                    }
                }
            }
        }
        for (machine, why) in &self.untouched {
            out.push_str(&format!("  left alone: {} [{}]: {why}\n", machine.shown(), machine.group));
        }
        for warning in &self.warnings {
            out.push_str(&format!("  warning: {warning}\n"));
        }
        out
    }
}

/// Why a plan cannot be made. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the fly.toml cannot become machine configs: {0}")]
    Conversion(#[from] ConversionError),
    #[error("no image to deploy: set [build] image in fly.toml or pass one")]
    NoImage,
    #[error(
        "app {0} has been deployed before but the machine list is empty; refusing to treat this as a first deploy \
         (a transient empty list would create duplicate machines). If every machine was destroyed on purpose, \
         deploy again as a first deploy"
    )]
    EmptyMachineList(String),
    #[error("{strategy} deploys do not work with volumes ([[mounts]] in group {group}); use rolling or immediate")]
    StrategyWithMounts { strategy: String, group: String },
    #[error(
        "bluegreen deploys need at least one health check to know when green machines are ready; add [[http_service.checks]] or [checks]"
    )]
    BluegreenWithoutChecks,
    #[error(
        "bluegreen needs the machines of group {0} to be managed by Fly Launch; adopt the unmanaged ones or remove them"
    )]
    BluegreenWithUnmanaged(String),
    #[error("unknown process group {group}; the groups are {known}")]
    UnknownGroup { group: String, known: String },
    #[error("{0}")]
    InvalidCount(String),
    #[error("no region to place machines in: pass regions or set primary_region in fly.toml")]
    NoRegion,
    #[error(
        "the number of regions ({regions}) times the maximum per region ({max}) is fewer than the {expected} machines wanted"
    )]
    TooFewRegions { regions: usize, max: usize, expected: usize },
    #[error(
        "{wanted} machines in group {group} is more than a scale plan makes (at most {max} per group); scale in steps"
    )]
    TooManyMachines { group: String, wanted: String, max: usize },
    #[error(
        "machine {machine} is the last in group {group} holding a '{volume}' volume; removing it needs force (the volume stays, unattached)"
    )]
    LastVolumeHolder { machine: String, group: String, volume: String },
    #[error("machine {0} is started; stop it first or remove it with force")]
    StartedMachine(String),
    #[error("invalid machine size: {0}")]
    Size(String),
    #[error("scaling an app with several process groups needs a group; the groups are {0}")]
    GroupNeeded(String),
    #[error("no machines in process group {0}")]
    EmptyGroup(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "machine {machine} in group {group} needs an unattached volume named '{volume}' in region {region}; create it with `fly volume create {volume} -r {region}`"
    )]
    VolumeNeeded { machine: String, group: String, volume: String, region: String },
}

/// The process group a machine belongs to: its metadata, else the default group `app`.
pub fn group_of(machine: &Machine) -> &str {
    machine.process_group().filter(|g| !g.is_empty()).unwrap_or(crate::config::DEFAULT_GROUP)
}

/// Whether Fly Launch (deploy, scale) manages the machine: `fly_platform_version = v2`, alive, and not one of
/// flyctl's temporary machines.
pub fn is_managed(machine: &Machine) -> bool {
    machine
        .config
        .as_ref()
        .is_some_and(|c| c.metadata.get(META_PLATFORM_VERSION).is_some_and(|v| v == PLATFORM_VERSION))
        && !machine.state.is_gone()
        && !RESERVED_GROUPS.contains(&group_of(machine))
}

/// A live machine Fly Launch does not manage (made by hand or by another tool).
pub fn is_unmanaged(machine: &Machine) -> bool {
    !machine.state.is_gone() && !is_managed(machine) && !RESERVED_GROUPS.contains(&group_of(machine))
}

/// The image to deploy: the one asked for, else fly.toml's `[build] image`, else what the machines run.
fn resolve_image(
    asked: Option<&str>,
    config: &crate::config::AppConfig,
    machines: &[&Machine],
) -> Result<String, PlanError> {
    asked
        .map(str::to_owned)
        .or_else(|| config.build.as_ref().and_then(|b| b.image.clone()))
        .or_else(|| machines.iter().find_map(|m| m.config.as_ref().map(|c| c.image.clone())))
        .filter(|i| !i.is_empty())
        .ok_or(PlanError::NoImage)
}

fn is_started(machine: &Machine) -> bool {
    matches!(machine.state, MachineState::Started | MachineState::Starting)
}

fn is_standby(machine: &Machine) -> bool {
    machine.config.as_ref().is_some_and(|c| !c.standbys.is_empty())
}

/// The volume a machine's first mount uses, if any.
fn mounted_volume(machine: &Machine) -> Option<&str> {
    machine.config.as_ref()?.mounts.first().map(|m| m.volume.as_str()).filter(|v| !v.is_empty())
}

/// Unattached, healthy volumes by (name, region), in the API's order; the planners take from it as they assign.
#[derive(Debug, Default)]
struct FreeVolumes {
    by_name_region: BTreeMap<(String, String), Vec<String>>,
    sizes: BTreeMap<String, u64>,
}

impl FreeVolumes {
    fn new(volumes: &[Volume]) -> Self {
        let mut free = FreeVolumes::default();
        for volume in volumes.iter().filter(|v| !v.is_gone()) {
            let size = free.sizes.entry(volume.name.clone()).or_default();
            *size = (*size).max(volume.size_gb);
            let healthy = volume.host_status.as_deref().is_none_or(|s| s == "ok");
            if volume.attached_machine_id.is_none() && healthy {
                free.by_name_region
                    .entry((volume.name.clone(), volume.region.clone()))
                    .or_default()
                    .push(volume.id.clone());
            }
        }
        free
    }

    /// An unattached volume of that name in that region, taken so no other machine gets it.
    fn take(&mut self, name: &str, region: &str) -> Option<String> {
        let ids = self.by_name_region.get_mut(&(name.to_owned(), region.to_owned()))?;
        (!ids.is_empty()).then(|| ids.remove(0))
    }

    /// An existing volume if there is one free, else a new one sized like the largest of that name (`fallback` GB
    /// when there is none).
    fn choose(&mut self, name: &str, region: &str, fallback_gb: u64) -> VolumeChoice {
        match self.take(name, region) {
            Some(id) => VolumeChoice::Existing { id, name: name.to_owned() },
            None => VolumeChoice::New {
                name: name.to_owned(),
                region: region.to_owned(),
                size_gb: self.sizes.get(name).copied().unwrap_or(fallback_gb).max(1),
            },
        }
    }
}

/// flyctl's rolling pool for started machines: `max_unavailable ≥ 1` is a count, below 1 a fraction of the group
/// (rounded up); at least 1.
pub fn rolling_pool_size(max_unavailable: f64, machines: usize) -> usize {
    let size = if max_unavailable >= 1.0 {
        max_unavailable.floor() as usize
    } else if max_unavailable > 0.0 {
        (machines as f64 * max_unavailable).ceil() as usize
    } else {
        1
    };
    size.clamp(1, machines.max(1))
}

fn live_counts<'a>(machines: impl Iterator<Item = &'a Machine>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for machine in machines {
        *counts.entry(group_of(machine).to_owned()).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_pools_follow_flyctl() {
        assert_eq!(rolling_pool_size(0.33, 1), 1);
        assert_eq!(rolling_pool_size(0.33, 10), 4);
        assert_eq!(rolling_pool_size(10.0, 100), 10);
        assert_eq!(rolling_pool_size(2.7, 100), 2);
        assert_eq!(rolling_pool_size(50.0, 3), 3);
        assert_eq!(rolling_pool_size(0.0, 5), 1);
    }

    #[test]
    fn plans_name_machines_by_id_and_name() {
        let machine = |name: &str| MachineRef {
            id: "0e286039f42e86".into(),
            name: name.into(),
            group: "web".into(),
            region: "syd".into(),
            state: "started".into(),
        };
        assert_eq!(machine("web-iad-1").shown(), "0e286039f42e86 (web-iad-1)");
        assert_eq!(machine("").shown(), "0e286039f42e86", "no name: the id alone");
        assert_eq!(machine("0e286039f42e86").shown(), "0e286039f42e86", "a name that is the id: once");
        let planned = Target::Planned { key: "canary:web".into(), group: "web".into(), region: "syd".into() };
        assert_eq!(planned.shown(), "canary:web");
        let destroy = Action::Destroy {
            machine: Target::Existing(machine("web-iad-1")),
            reason: "scaled down".into(),
            force: true,
        };
        assert_eq!(destroy.describe(), "destroy machine 0e286039f42e86 (web-iad-1) [web]: scaled down");
    }
}
