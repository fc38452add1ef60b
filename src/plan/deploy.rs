//! Deploy plans in flyctl's order (flyctl-behaviour.md §B.2–B.5): release command, machines of removed groups
//! destroyed, machines for new groups created (1 / 2 / standby), then every managed machine updated — in place,
//! replaced, or left alone when identical — under the chosen strategy. Also the restart-only deploys (secrets,
//! image only) and `apps restart`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::api::{Machine, Volume};
use crate::config::{AppConfig, RELEASE_COMMAND_GROUP};
use crate::machine::{Guest, MachineConfig};

use super::{
    Action, COMMAND_LEASE_TTL_SECS, Change, DEPLOY_LEASE_TTL_SECS, FreeVolumes, META_BLUEGREEN, META_CANARY,
    MachineRef, Phase, Plan, PlanError, Pool, Role, Target, VolumeChoice, Wait, config_changes, group_of, is_managed,
    is_started, is_unmanaged, live_counts, mounted_volume, rolling_pool_size,
};

/// How existing machines are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Per group, a spearhead then pools of `max_unavailable` started machines (stopped ones in a wider pool).
    Rolling,
    /// Everything at once (`max_concurrent` at a time), no waiting.
    Immediate,
    /// One canary per group, serving traffic, then rolling; the canary goes when the roll is done.
    Canary,
    /// Green machines beside the blue ones, a traffic switch, then the blue ones retired.
    Bluegreen,
}

impl Strategy {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "rolling" => Some(Strategy::Rolling),
            "immediate" => Some(Strategy::Immediate),
            "canary" => Some(Strategy::Canary),
            "bluegreen" | "blue-green" => Some(Strategy::Bluegreen),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Rolling => "rolling",
            Strategy::Immediate => "immediate",
            Strategy::Canary => "canary",
            Strategy::Bluegreen => "bluegreen",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Deploy flags (flyctl's names where they exist).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployOptions {
    /// Else `[deploy] strategy`, else rolling.
    pub strategy: Option<Strategy>,
    /// Else `[build] image`, else the image the machines run (an image-less config redeploys).
    pub image: Option<String>,
    /// A count (≥ 1) or a fraction of each group's started machines; else `[deploy] max_unavailable`, else 0.33.
    pub max_unavailable: Option<f64>,
    /// The pool of immediate deploys and the bound of every other pool (flyctl's 8).
    pub max_concurrent: usize,
    /// New groups get a second machine (services) or a standby (no services).
    pub ha: bool,
    /// Do not create machines for groups that have none.
    pub update_only: bool,
    pub skip_release_command: bool,
    /// Do not wait for machines to start or pass checks (the release command is still waited for).
    pub detach: bool,
    /// Start stopped and suspended machines after their update (flyctl leaves them stopped, #4707).
    pub start_stopped: bool,
    /// Manage machines created outside Fly Launch: they are updated like the others (the preview shows how).
    pub adopt: bool,
    /// The app was deployed before but has no machines, on purpose: plan a first deploy anyway.
    pub first_deploy: bool,
    /// Bluegreen only: stop once the greens are healthy, before the traffic switch (#2672); run
    /// [`plan_bluegreen_switch`] later.
    pub bluegreen_hold: bool,
    /// Else `[deploy] wait_timeout`, else 5 min.
    pub wait_timeout_secs: Option<u64>,
    /// Else `[deploy] release_command_timeout`, else 5 min.
    pub release_command_timeout_secs: Option<u64>,
    pub smoke_checks: bool,
    /// Rolling: each pool's first machine is updated alone and must succeed before the others start (flyctl's
    /// behaviour; it costs one update time per group).
    pub spearhead: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            strategy: None,
            image: None,
            max_unavailable: None,
            max_concurrent: 8,
            ha: true,
            update_only: false,
            skip_release_command: false,
            detach: false,
            start_stopped: false,
            adopt: false,
            first_deploy: false,
            bluegreen_hold: false,
            wait_timeout_secs: None,
            release_command_timeout_secs: None,
            smoke_checks: true,
            spearhead: true,
        }
    }
}

/// What a deploy is planned from.
#[derive(Debug, Clone, Copy)]
pub struct DeployInput<'a> {
    pub app: &'a str,
    pub config: &'a AppConfig,
    /// The app's machines as the API lists them (with configs).
    pub machines: &'a [Machine],
    pub volumes: &'a [Volume],
    /// The app's status is `deployed` or `suspended`: it has been deployed before.
    pub app_deployed: bool,
}

const DEFAULT_MAX_UNAVAILABLE: f64 = 0.33;
/// Stopped machines take no traffic, so they are updated in a wider pool.
const COLD_POOL: usize = 30;

fn secs(duration: Option<&crate::duration::GoDuration>) -> Option<u64> {
    duration.map(|d| d.as_secs_f64().max(0.0).ceil() as u64)
}

/// An update of one existing machine, before the strategy arranges it.
struct Update {
    machine: MachineRef,
    config: Arc<MachineConfig>,
    changes: Arc<[Change]>,
    start: bool,
    replace: bool,
    volume: Option<VolumeChoice>,
    started: bool,
}

impl Update {
    fn action(self, wait: Wait, min_secrets_version: Option<u64>) -> Action {
        let wait = if self.start { wait } else { Wait::NONE };
        Action::Update {
            machine: self.machine,
            config: self.config,
            changes: self.changes,
            start: self.start,
            replace: self.replace,
            volume: self.volume,
            min_secrets_version,
            wait,
        }
    }
}

fn wait_for(options: &DeployOptions, strategy: Strategy) -> Wait {
    if options.detach || strategy == Strategy::Immediate {
        Wait::NONE
    } else {
        Wait { state: true, smoke: options.smoke_checks, healthy: true }
    }
}

/// What fly.toml gives a machine of `group` that has `existing` as its config: the group's config built on it,
/// where a standby keeps saying whom it stands in for (fly.toml's [env] replaces the machine's), and a standby that
/// now has services becomes a machine of its own.
pub(super) fn desired_config(
    config: &AppConfig,
    group: &str,
    existing: &MachineConfig,
) -> Result<MachineConfig, crate::config::ConversionError> {
    let mut new = config.machine_config(group, Some(existing))?;
    if !new.standbys.is_empty() && !new.services.is_empty() {
        new.standbys.clear();
        new.env.remove("FLY_STANDBY_FOR");
    } else if let Some(standing_for) = existing.env.get("FLY_STANDBY_FOR").filter(|_| !new.standbys.is_empty()) {
        new.env.insert("FLY_STANDBY_FOR".to_owned(), standing_for.clone());
    }
    Ok(new)
}

/// The updated config of one managed machine, with flyctl's mount rules (§B.5): a mount added, removed or renamed
/// needs a replacement; a new path keeps the volume.
fn plan_update(
    config: &AppConfig,
    machine: &Machine,
    image: &str,
    options: &DeployOptions,
    free: &mut FreeVolumes,
    warnings: &mut Vec<String>,
) -> Result<Update, PlanError> {
    let group = group_of(machine);
    let existing = machine.config.clone().unwrap_or_default();
    let mut new = desired_config(config, group, &existing)?;
    new.image = image.to_owned();
    let mut replace = false;
    let mut volume = None;
    let had = existing.mounts.first().filter(|m| !m.volume.is_empty());
    match (had, new.mounts.first_mut()) {
        (Some(old), Some(wanted)) if old.name == wanted.name || wanted.name.is_empty() => {
            wanted.volume.clone_from(&old.volume);
        }
        (Some(old), Some(wanted)) => {
            replace = true;
            let choice = free.choose(&wanted.name, &machine.region, 1);
            warnings.push(format!(
                "machine {} [{group}] mounts volume '{}' but fly.toml wants '{}': it will be replaced on {}, and \
                 its old volume kept unattached",
                machine.id,
                old.name,
                wanted.name,
                describe_volume(&choice)
            ));
            volume = Some(choice);
        }
        (Some(old), None) => {
            replace = true;
            warnings.push(format!(
                "machine {} [{group}] has volume {} mounted but fly.toml mounts none: it will be replaced without \
                 it, and the volume kept unattached",
                machine.id, old.volume
            ));
        }
        (None, Some(wanted)) => {
            replace = true;
            let choice = free.choose(&wanted.name, &machine.region, 1);
            warnings.push(format!(
                "machine {} [{group}] gets a mount: it will be replaced on {}",
                machine.id,
                describe_volume(&choice)
            ));
            volume = Some(choice);
        }
        (None, None) => {}
    }
    if machine.host_status.as_deref().is_some_and(|s| s != "ok") {
        if let Some(volume) = mounted_volume(machine) {
            return Err(PlanError::Invalid(format!(
                "machine {} needs manual intervention: its host is unreachable and its volume {volume} is on it",
                machine.id
            )));
        }
        replace = true;
    }
    let started = is_started(machine) || machine.state == crate::api::MachineState::Failed;
    let start = new.standbys.is_empty() && (started || options.start_stopped);
    let changes = config_changes(&existing, &new);
    Ok(Update {
        machine: MachineRef::of(machine),
        config: Arc::new(new),
        changes: changes.into(),
        start,
        replace,
        volume,
        started,
    })
}

fn describe_volume(choice: &VolumeChoice) -> String {
    match choice {
        VolumeChoice::Existing { id, name } => format!("unattached volume {name} ({id})"),
        VolumeChoice::New { name, size_gb, region } => format!("a new {size_gb} GB volume {name} in {region}"),
    }
}

/// Recently built configs by the config they were built from: fleets are mostly identical machines, and a
/// machine's new config and its changes depend only on its group and its current config (when it keeps its
/// volume and its host is fine), so identical machines share the work.
#[derive(Default)]
struct Memo {
    entries: std::collections::VecDeque<MemoEntry>,
}

/// (group, the config a machine had, the config it gets, the changes between them).
type MemoEntry = (String, MachineConfig, Arc<MachineConfig>, Arc<[Change]>);

impl Memo {
    const SIZE: usize = 8;

    fn plain(machine: &Machine) -> bool {
        machine.host_status.as_deref().is_none_or(|s| s == "ok")
    }

    fn recall(&self, machine: &Machine, options: &DeployOptions) -> Option<Update> {
        let existing = machine.config.as_ref().filter(|_| Self::plain(machine))?;
        let group = group_of(machine);
        let (_, _, config, changes) = self.entries.iter().find(|(g, e, _, _)| g == group && e == existing)?;
        let started = is_started(machine) || machine.state == crate::api::MachineState::Failed;
        Some(Update {
            machine: MachineRef::of(machine),
            config: Arc::clone(config),
            changes: Arc::clone(changes),
            start: config.standbys.is_empty() && (started || options.start_stopped),
            replace: false,
            volume: None,
            started,
        })
    }

    fn remember(&mut self, machine: &Machine, update: &Update) {
        let Some(existing) = machine.config.as_ref().filter(|_| Self::plain(machine) && !update.replace) else {
            return;
        };
        if self.entries.len() == Self::SIZE {
            self.entries.pop_back();
        }
        let entry =
            (update.machine.group.clone(), existing.clone(), Arc::clone(&update.config), Arc::clone(&update.changes));
        self.entries.push_front(entry);
    }
}

/// Arranges updates as the strategy says: one phase for rolling and immediate (pools per group and warmth).
fn update_phase(
    title: &str,
    updates: Vec<Update>,
    strategy: Strategy,
    options: &DeployOptions,
    max_unavailable: f64,
    min_secrets_version: Option<u64>,
) -> Phase {
    let wait = wait_for(options, strategy);
    if strategy == Strategy::Immediate {
        let actions = updates.into_iter().map(|u| u.action(wait, min_secrets_version)).collect();
        let pool = Pool {
            label: "all machines".to_owned(),
            concurrency: options.max_concurrent.max(1),
            spearhead: false,
            actions,
        };
        return Phase::new(title, vec![pool]);
    }
    let mut by_group: BTreeMap<String, (Vec<Update>, Vec<Update>)> = BTreeMap::new();
    for update in updates {
        // Most updates follow one of the same group: look the group up once per run of them.
        let entry = match by_group.get_mut(&update.machine.group) {
            Some(entry) => entry,
            None => by_group.entry(update.machine.group.clone()).or_default(),
        };
        if update.started { entry.0.push(update) } else { entry.1.push(update) }
    }
    let mut pools = Vec::new();
    for (group, (warm, cold)) in by_group {
        pools.push(Pool {
            label: format!("{group}: started machines"),
            concurrency: rolling_pool_size(max_unavailable, warm.len()),
            spearhead: options.spearhead && warm.len() > 1,
            actions: warm.into_iter().map(|u| u.action(wait, min_secrets_version)).collect(),
        });
        pools.push(Pool {
            label: format!("{group}: stopped machines"),
            concurrency: cold.len().clamp(1, COLD_POOL),
            spearhead: options.spearhead && cold.len() > 1,
            actions: cold.into_iter().map(|u| u.action(wait, min_secrets_version)).collect(),
        });
    }
    Phase::new(title, pools)
}

/// Plans `fly deploy`.
pub fn plan_deploy(input: &DeployInput<'_>, options: &DeployOptions) -> Result<Plan, PlanError> {
    let config = input.config;
    let deploy = config.deploy.as_ref();
    let strategy = options
        .strategy
        .or_else(|| deploy.and_then(|d| d.strategy.as_deref()).and_then(Strategy::parse))
        .unwrap_or(Strategy::Rolling);
    let max_unavailable = options
        .max_unavailable
        .or_else(|| deploy.and_then(|d| d.max_unavailable))
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(DEFAULT_MAX_UNAVAILABLE);
    let mut plan = Plan::new(input.app, format!("deploy ({strategy})"), DEPLOY_LEASE_TTL_SECS);
    plan.wait_timeout_secs = options
        .wait_timeout_secs
        .or_else(|| secs(deploy.and_then(|d| d.wait_timeout.as_ref())))
        .unwrap_or(super::DEFAULT_WAIT_TIMEOUT_SECS);
    let groups: BTreeSet<String> = crate::sort::set_of(config.process_names());

    let mut machines: Vec<&Machine> = input.machines.iter().collect();
    crate::sort::sort_by(&mut machines, |a, b| a.id.cmp(&b.id));
    let (mut managed, others): (Vec<&Machine>, Vec<&Machine>) = machines.iter().copied().partition(|m| is_managed(m));
    let unmanaged: Vec<&Machine> = others.into_iter().filter(|m| is_unmanaged(m)).collect();
    if options.adopt {
        managed.extend(unmanaged.iter().copied());
        crate::sort::sort_by(&mut managed, |a, b| a.id.cmp(&b.id));
    } else {
        for machine in &unmanaged {
            plan.untouched.push((
                MachineRef::of(machine),
                "not managed by Fly Launch (no fly_platform_version=v2 metadata); deploy with adopt to manage it"
                    .to_owned(),
            ));
        }
    }
    let leftover_release: Vec<&Machine> =
        machines.iter().copied().filter(|m| !m.state.is_gone() && group_of(m) == RELEASE_COMMAND_GROUP).collect();

    if managed.is_empty() && unmanaged.is_empty() && input.app_deployed && !options.first_deploy {
        return Err(PlanError::EmptyMachineList(input.app.to_owned()));
    }
    let first_deploy = managed.is_empty();
    let image = super::resolve_image(options.image.as_deref(), config, &managed)?;

    if matches!(strategy, Strategy::Canary | Strategy::Bluegreen)
        && let Some(mount) = config.mounts.first()
    {
        let group = mount.processes.first().cloned().unwrap_or_else(|| config.default_group());
        return Err(PlanError::StrategyWithMounts { strategy: strategy.to_string(), group });
    }
    if strategy == Strategy::Bluegreen && !first_deploy {
        let has_checks = groups.iter().try_fold(false, |found, group| {
            let machine = config.machine_config(group, None)?;
            Ok::<_, PlanError>(
                found || !machine.checks.is_empty() || machine.services.iter().any(|s| !s.checks.is_empty()),
            )
        })?;
        if !has_checks {
            return Err(PlanError::BluegreenWithoutChecks);
        }
        if !options.adopt
            && let Some(machine) = unmanaged.iter().find(|m| groups.contains(group_of(m)))
        {
            return Err(PlanError::BluegreenWithUnmanaged(group_of(machine).to_owned()));
        }
    }

    let mut expected: BTreeMap<String, usize> =
        live_counts(managed.iter().copied().filter(|m| groups.contains(group_of(m))));

    // 1. The release command, in a temporary machine, before anything changes.
    if let Some(command) = deploy.and_then(|d| d.release_command.clone()).filter(|_| !options.skip_release_command) {
        let default_group = config.default_group();
        let reference: Option<&Guest> = managed
            .iter()
            .filter(|m| group_of(m) == default_group)
            .filter_map(|m| m.config.as_ref()?.guest.as_ref())
            .max_by_key(|g| g.memory_mb);
        let mut release = config.release_machine_config(reference)?;
        release.image.clone_from(&image);
        let mut actions: Vec<Action> = leftover_release
            .iter()
            .map(|m| Action::Destroy {
                machine: Target::Existing(MachineRef::of(m)),
                force: true,
                reason: "a release-command machine left by an earlier deploy".to_owned(),
            })
            .collect();
        actions.push(Action::RunReleaseCommand {
            command,
            region: config.primary_region.clone().filter(|r| !r.is_empty()),
            config: Arc::new(release),
            timeout_secs: options
                .release_command_timeout_secs
                .or_else(|| secs(deploy.and_then(|d| d.release_command_timeout.as_ref())))
                .unwrap_or(super::DEFAULT_WAIT_TIMEOUT_SECS),
        });
        plan.push(Phase::new(
            "run the release command",
            vec![Pool { label: "release command".to_owned(), concurrency: 1, spearhead: false, actions }],
        ));
    }

    // 2. Machines of groups fly.toml no longer has.
    let removed: Vec<Action> = managed
        .iter()
        .filter(|m| !groups.contains(group_of(m)))
        .map(|m| Action::Destroy {
            machine: Target::Existing(MachineRef::of(m)),
            force: true,
            reason: format!("process group {} is no longer in fly.toml", group_of(m)),
        })
        .collect();
    plan.push(Phase::new(
        "destroy machines of removed process groups",
        vec![Pool {
            label: "removed groups".to_owned(),
            concurrency: options.max_concurrent.max(1),
            spearhead: false,
            actions: removed,
        }],
    ));

    // 3. Machines for groups that have none.
    let mut free = FreeVolumes::new(input.volumes);
    let wait = wait_for(options, strategy);
    if !options.update_only {
        let mut pools = Vec::new();
        for group in &groups {
            if managed.iter().any(|m| group_of(m) == group) {
                continue;
            }
            let region = config
                .primary_region
                .clone()
                .filter(|r| !r.is_empty())
                .or_else(|| managed.first().map(|m| m.region.clone()))
                .ok_or(PlanError::NoRegion)?;
            let mut machine = config.machine_config(group, None)?;
            machine.image.clone_from(&image);
            let volume = config.mounts.iter().find(|m| config.applies_to(&m.processes, group)).map(|mount| {
                let size = mount.initial_size.as_deref().and_then(|s| crate::config::volume_gb(s).ok()).unwrap_or(1);
                free.choose(&mount.source, &region, size)
            });
            let key = format!("new:{group}:1");
            let mut actions = vec![Action::Create {
                key: key.clone(),
                group: group.clone(),
                region: region.clone(),
                role: Role::New,
                config: Arc::new(machine.clone()),
                skip_launch: false,
                cordoned: false,
                volume: volume.clone(),
                standby_for: None,
                name: None,
                wait,
            }];
            if options.ha && volume.is_none() {
                if machine.services.is_empty() {
                    let mut standby = machine.clone();
                    standby.env.insert("FLY_STANDBY_FOR".to_owned(), key.clone());
                    actions.push(Action::Create {
                        key: format!("new:{group}:standby"),
                        group: group.clone(),
                        region: region.clone(),
                        role: Role::Standby,
                        config: Arc::new(standby),
                        skip_launch: true,
                        cordoned: false,
                        volume: None,
                        standby_for: Some(key),
                        name: None,
                        wait: Wait::NONE,
                    });
                } else {
                    actions.push(Action::Create {
                        key: format!("new:{group}:2"),
                        group: group.clone(),
                        region: region.clone(),
                        role: Role::HighAvailability,
                        config: Arc::new(machine),
                        skip_launch: false,
                        cordoned: false,
                        volume: None,
                        standby_for: None,
                        name: None,
                        wait,
                    });
                }
            }
            *expected.entry(group.clone()).or_default() += actions.len();
            // A standby names the machine before it: the group's creates go one after the other.
            pools.push(Pool { label: format!("{group}: new machines"), concurrency: 1, spearhead: false, actions });
        }
        let title = if first_deploy { "create the first machines" } else { "create machines for new process groups" };
        plan.push(Phase::new(title, pools));
    }

    // 4. Every managed machine of a configured group: updated, replaced or left alone.
    let mut updates = Vec::with_capacity(managed.len());
    let mut memo = Memo::default();
    for machine in managed.iter().filter(|m| groups.contains(group_of(m))) {
        let update = match memo.recall(machine, options) {
            Some(update) => update,
            None => {
                let update = plan_update(config, machine, &image, options, &mut free, &mut plan.warnings)?;
                memo.remember(machine, &update);
                update
            }
        };
        let wants_start = update.start && !update.started;
        if update.changes.is_empty() && !update.replace && !wants_start {
            plan.untouched.push((update.machine, "already up to date".to_owned()));
        } else {
            updates.push(update);
        }
    }

    match strategy {
        Strategy::Bluegreen if !updates.is_empty() && !first_deploy => {
            bluegreen_phases(&mut plan, updates, options, wait);
        }
        Strategy::Canary if !updates.is_empty() && !first_deploy => {
            let mut canaries = Vec::new();
            let mut seen = BTreeSet::new();
            for update in updates.iter().filter(|u| u.started) {
                if !seen.insert(update.machine.group.clone()) {
                    continue;
                }
                let mut canary = MachineConfig::clone(&update.config);
                canary.metadata.insert(META_CANARY.to_owned(), "true".to_owned());
                canaries.push(Action::Create {
                    key: format!("canary:{}", update.machine.group),
                    group: update.machine.group.clone(),
                    region: update.machine.region.clone(),
                    role: Role::Canary,
                    config: Arc::new(canary),
                    skip_launch: false,
                    cordoned: false,
                    volume: None,
                    standby_for: None,
                    name: None,
                    wait: Wait { state: true, smoke: true, healthy: true },
                });
            }
            let cleanup: Vec<Action> = canaries
                .iter()
                .filter_map(|c| match c {
                    Action::Create { key, group, region, .. } => Some(Action::Destroy {
                        machine: Target::Planned { key: key.clone(), group: group.clone(), region: region.clone() },
                        force: true,
                        reason: "the canary's work is done".to_owned(),
                    }),
                    _ => None,
                })
                .collect();
            let mut phase = Phase::new(
                "create a canary per group (it serves traffic while the others update)",
                vec![Pool {
                    label: "canaries".to_owned(),
                    concurrency: options.max_concurrent.max(1),
                    spearhead: false,
                    actions: canaries,
                }],
            );
            phase.rollback_created = true;
            plan.push(phase);
            plan.push(update_phase(
                "update machines (rolling)",
                updates,
                Strategy::Rolling,
                options,
                max_unavailable,
                None,
            ));
            plan.push(Phase::new(
                "destroy the canaries",
                vec![Pool {
                    label: "canaries".to_owned(),
                    concurrency: options.max_concurrent.max(1),
                    spearhead: false,
                    actions: cleanup,
                }],
            ));
        }
        _ => {
            let shown = if strategy == Strategy::Immediate { Strategy::Immediate } else { Strategy::Rolling };
            plan.push(update_phase(
                &format!("update machines ({shown})"),
                updates,
                shown,
                options,
                max_unavailable,
                None,
            ));
        }
    }
    for group in managed.iter().map(|m| group_of(m)).filter(|g| !groups.contains(*g)) {
        expected.remove(group);
    }
    if options.bluegreen_hold && strategy == Strategy::Bluegreen {
        for action in plan.actions() {
            if let Action::Create { group, role: Role::Green, .. } = action {
                *expected.entry(group.clone()).or_default() += 1;
            }
        }
    }
    plan.expected_counts = expected;
    Ok(plan)
}

fn bluegreen_phases(plan: &mut Plan, updates: Vec<Update>, options: &DeployOptions, wait: Wait) {
    let n = updates.len();
    let concurrency = n.div_ceil(3).clamp(1, options.max_concurrent.max(1));
    let mut greens = Vec::new();
    let mut switch = Vec::new();
    let mut blues = Vec::new();
    for update in updates {
        let key = format!("green:{}", update.machine.id);
        let mut config = MachineConfig::clone(&update.config);
        config.metadata.insert(META_BLUEGREEN.to_owned(), "green".to_owned());
        let target = Target::Planned {
            key: key.clone(),
            group: update.machine.group.clone(),
            region: update.machine.region.clone(),
        };
        greens.push(Action::Create {
            key,
            group: update.machine.group.clone(),
            region: update.machine.region.clone(),
            role: Role::Green,
            config: Arc::new(config),
            skip_launch: !update.start,
            cordoned: true,
            volume: None,
            standby_for: None,
            name: None,
            wait: if update.start { wait } else { Wait::NONE },
        });
        switch.push(Action::Uncordon { machine: target.clone() });
        switch.push(Action::SetMetadata { machine: target, key: META_BLUEGREEN.to_owned(), value: "live".to_owned() });
        blues.push(update.machine);
    }
    let mut create = Phase::new(
        "create green machines and wait until they are healthy (they take no traffic yet)",
        vec![Pool { label: "greens".to_owned(), concurrency, spearhead: false, actions: greens }],
    );
    create.rollback_created = true;
    plan.push(create);
    if options.bluegreen_hold {
        plan.warnings.push(
            "held before the traffic switch: the green machines are healthy but take no traffic; run the switch \
             when ready (it uncordons the greens, then retires the blues)"
                .to_owned(),
        );
        return;
    }
    retire_blues(plan, switch, blues, options.max_concurrent.max(1));
}

fn retire_blues(plan: &mut Plan, switch: Vec<Action>, blues: Vec<MachineRef>, concurrency: usize) {
    let pool = |label: &str, actions: Vec<Action>| {
        vec![Pool { label: label.to_owned(), concurrency, spearhead: false, actions }]
    };
    plan.push(Phase::new("switch traffic: the green machines take traffic", pool("greens", switch)));
    let cordon = blues.iter().map(|m| Action::Cordon { machine: Target::Existing(m.clone()) }).collect();
    plan.push(Phase::new("cordon the blue machines (no new traffic)", pool("blues", cordon)));
    let stop = blues.iter().map(|m| Action::Stop { machine: Target::Existing(m.clone()), signal: None }).collect();
    plan.push(Phase::new("stop the blue machines", pool("blues", stop)));
    let destroy = blues
        .into_iter()
        .map(|m| Action::Destroy {
            machine: Target::Existing(m),
            force: true,
            reason: "replaced by its green".to_owned(),
        })
        .collect();
    plan.push(Phase::new("destroy the blue machines", pool("blues", destroy)));
}

/// The second half of a held bluegreen deploy: greens (metadata `fly_bluegreen_deployment_tag=green`) take traffic,
/// then the other managed machines of their groups are cordoned, stopped and destroyed.
pub fn plan_bluegreen_switch(app: &str, machines: &[Machine], max_concurrent: usize) -> Result<Plan, PlanError> {
    let mut plan = Plan::new(app, "bluegreen traffic switch", DEPLOY_LEASE_TTL_SECS);
    let is_green =
        |m: &Machine| m.config.as_ref().is_some_and(|c| c.metadata.get(META_BLUEGREEN).is_some_and(|t| t == "green"));
    let greens: Vec<&Machine> = machines.iter().filter(|m| is_managed(m) && is_green(m)).collect();
    if greens.is_empty() {
        return Err(PlanError::Invalid("no green machines waiting for a traffic switch".to_owned()));
    }
    let groups: BTreeSet<&str> = crate::sort::set_of(greens.iter().map(|m| group_of(m)));
    let mut switch = Vec::new();
    for green in &greens {
        let target = Target::Existing(MachineRef::of(green));
        switch.push(Action::Uncordon { machine: target.clone() });
        switch.push(Action::SetMetadata { machine: target, key: META_BLUEGREEN.to_owned(), value: "live".to_owned() });
    }
    let blues: Vec<MachineRef> = machines
        .iter()
        .filter(|m| is_managed(m) && !is_green(m) && groups.contains(group_of(m)))
        .map(MachineRef::of)
        .collect();
    let mut expected = live_counts(machines.iter().filter(|m| is_managed(m)));
    for blue in &blues {
        if let Some(count) = expected.get_mut(&blue.group) {
            *count = count.saturating_sub(1);
        }
    }
    plan.expected_counts = expected;
    retire_blues(&mut plan, switch, blues, max_concurrent.max(1));
    Ok(plan)
}

/// Shared by the restart-only deploys: every managed machine pushed through the strategy with `change` applied to
/// its config (nothing, for secrets; the image, for an image-only deploy).
fn restart_only(
    app: &str,
    operation: String,
    machines: &[Machine],
    options: &DeployOptions,
    min_secrets_version: Option<u64>,
    change: impl Fn(&mut MachineConfig),
) -> Plan {
    let strategy = match options.strategy.unwrap_or(Strategy::Rolling) {
        Strategy::Immediate => Strategy::Immediate,
        _ => Strategy::Rolling,
    };
    let mut plan = Plan::new(app, operation, DEPLOY_LEASE_TTL_SECS);
    plan.wait_timeout_secs = options.wait_timeout_secs.unwrap_or(super::DEFAULT_WAIT_TIMEOUT_SECS);
    let mut sorted: Vec<&Machine> = machines.iter().filter(|m| is_managed(m)).collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.id.cmp(&b.id));
    for machine in machines.iter().filter(|m| is_unmanaged(m)) {
        plan.untouched.push((MachineRef::of(machine), "not managed by Fly Launch: not restarted (#1898)".to_owned()));
    }
    let updates = sorted
        .iter()
        .map(|machine| {
            let existing = machine.config.clone().unwrap_or_default();
            let mut config = existing.clone();
            change(&mut config);
            let started = is_started(machine);
            Update {
                machine: MachineRef::of(machine),
                changes: config_changes(&existing, &config).into(),
                config: Arc::new(config),
                start: config_standbys_empty(machine) && (started || options.start_stopped),
                replace: false,
                volume: None,
                started,
            }
        })
        .collect();
    plan.expected_counts = live_counts(sorted.iter().copied());
    let max_unavailable =
        options.max_unavailable.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(DEFAULT_MAX_UNAVAILABLE);
    plan.push(update_phase(
        &format!("update machines ({strategy})"),
        updates,
        strategy,
        options,
        max_unavailable,
        min_secrets_version,
    ));
    plan
}

fn config_standbys_empty(machine: &Machine) -> bool {
    machine.config.as_ref().is_none_or(|c| c.standbys.is_empty())
}

/// `fly secrets deploy` / after `secrets set`: every managed machine updated with its own config so it restarts
/// with the secrets of `secrets_version`; stopped ones stay stopped.
pub fn plan_secrets_deploy(app: &str, machines: &[Machine], secrets_version: u64, options: &DeployOptions) -> Plan {
    restart_only(app, "secrets deploy".to_owned(), machines, options, Some(secrets_version), |_| {})
}

/// A deploy of a new image only: every managed machine keeps its config but the image.
pub fn plan_image_update(app: &str, machines: &[Machine], image: &str, options: &DeployOptions) -> Plan {
    restart_only(app, format!("image deploy ({image})"), machines, options, None, |config| {
        config.image = image.to_owned();
    })
}

/// `fly apps restart`: started managed machines, one after the other, each waited for until healthy; stopped and
/// standby machines are left as they are (#3970).
pub fn plan_app_restart(app: &str, machines: &[Machine]) -> Plan {
    let mut plan = Plan::new(app, "restart", COMMAND_LEASE_TTL_SECS);
    let mut actions = Vec::new();
    let mut sorted: Vec<&Machine> = machines.iter().filter(|m| is_managed(m)).collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.id.cmp(&b.id));
    for machine in sorted.iter().copied() {
        if machine.state == crate::api::MachineState::Started {
            actions.push(Action::Restart { machine: MachineRef::of(machine), wait: Wait::FULL });
        } else {
            plan.untouched
                .push((MachineRef::of(machine), format!("{}: only started machines are restarted", machine.state)));
        }
    }
    plan.expected_counts = live_counts(sorted.iter().copied());
    plan.push(Phase::new(
        "restart started machines, one at a time",
        vec![Pool { label: "machines".to_owned(), concurrency: 1, spearhead: false, actions }],
    ));
    plan
}
