//! `fly machine` commands as plans (flyctl-behaviour.md §D): clone, update, stop, start, remove, and assigning
//! machines to a process group (followed by the deploy plan that gives them the group's config). Machines are
//! named by id or name; the caller resolves names against the list it passes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::{Machine, MachineState, Volume};
use crate::config::{AppConfig, META_PROCESS_GROUP, RESERVED_GROUPS, split_command};

use super::{
    Action, COMMAND_LEASE_TTL_SECS, DeployInput, DeployOptions, FreeVolumes, MachineRef, Phase, Plan, PlanError, Pool,
    Role, Target, VolumeChoice, Wait, config_changes, group_of, is_managed, live_counts, plan_deploy,
};

/// Finds a live machine by id or name; an unknown or ambiguous name is an error that says so.
fn find<'a>(machines: &'a [Machine], id_or_name: &str) -> Result<&'a Machine, PlanError> {
    let live = || machines.iter().filter(|m| !m.state.is_gone());
    if let Some(machine) = live().find(|m| m.id == id_or_name) {
        return Ok(machine);
    }
    let named: Vec<&Machine> = live().filter(|m| m.name == id_or_name).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(PlanError::Invalid(format!("no machine with id or name {id_or_name}"))),
        many => Err(PlanError::Invalid(format!("{} machines are named {id_or_name}: use an id", many.len()))),
    }
}

fn single(app: &str, operation: &str, title: &str, action: Action, machines: &[Machine]) -> Plan {
    let mut plan = Plan::new(app, operation, COMMAND_LEASE_TTL_SECS);
    plan.expected_counts = live_counts(machines.iter().filter(|m| is_managed(m)));
    plan.push(Phase::new(
        title,
        vec![Pool { label: "machine".to_owned(), concurrency: 1, spearhead: false, actions: vec![action] }],
    ));
    plan
}

/// Where a clone's volume comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CloneVolume {
    /// An unattached volume of the source's volume name in the target region, else a new one like the source's.
    #[default]
    SameName,
    /// This volume (it must be unattached, and the clone goes to its region).
    Attach(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloneOptions {
    pub region: Option<String>,
    /// Put the clone in another group: it gets that group's cmd, services and checks from fly.toml.
    pub group: Option<String>,
    pub name: Option<String>,
    pub clear_auto_destroy: bool,
    pub clear_cmd: bool,
    pub override_cmd: Option<String>,
    pub volume: CloneVolume,
}

/// `fly machine clone`.
pub fn plan_clone(
    app: &str,
    config: Option<&AppConfig>,
    machines: &[Machine],
    volumes: &[Volume],
    source: &str,
    options: &CloneOptions,
) -> Result<Plan, PlanError> {
    let source = find(machines, source)?;
    if source.host_status.as_deref().is_some_and(|s| s != "ok") {
        return Err(PlanError::Invalid("the machine is on an unreachable host, try again later".to_owned()));
    }
    let mut clone =
        source.config.clone().ok_or_else(|| PlanError::Invalid(format!("machine {} has no config", source.id)))?;
    let mut region = options.region.clone().unwrap_or_else(|| source.region.clone());
    let mut group = group_of(source).to_owned();
    if let Some(wanted) = &options.group {
        let config =
            config.ok_or_else(|| PlanError::Invalid("assigning a clone to a group needs fly.toml".to_owned()))?;
        if RESERVED_GROUPS.contains(&wanted.as_str()) || !config.has_group(wanted) {
            return Err(PlanError::UnknownGroup { group: wanted.clone(), known: config.process_names().join(", ") });
        }
        let grouped = config.machine_config(wanted, Some(&clone))?;
        clone.init.cmd = grouped.init.cmd;
        clone.services = grouped.services;
        clone.checks = grouped.checks;
        clone.env = grouped.env;
        clone.metadata.insert(META_PROCESS_GROUP.to_owned(), wanted.clone());
        group.clone_from(wanted);
    }
    if options.clear_cmd {
        clone.init.cmd.clear();
    } else if let Some(command) = &options.override_cmd {
        clone.init.cmd =
            split_command(command).ok_or_else(|| PlanError::Invalid(format!("cannot split command {command:?}")))?;
    }
    if options.clear_auto_destroy {
        clone.auto_destroy = Some(false);
    }
    clone.standbys.clear();
    clone.env.remove("FLY_STANDBY_FOR");
    let mut volume = None;
    if let Some(mount) = clone.mounts.first_mut() {
        mount.volume.clear();
        volume = Some(match &options.volume {
            CloneVolume::Attach(id) => {
                let found = volumes.iter().find(|v| v.id == *id && !v.is_gone());
                let found = found.ok_or_else(|| PlanError::Invalid(format!("volume {id} not found")))?;
                if let Some(other) = &found.attached_machine_id {
                    return Err(PlanError::Invalid(format!("volume {id} is already attached to machine {other}")));
                }
                if options.region.as_ref().is_some_and(|r| *r != found.region) {
                    return Err(PlanError::Invalid(format!(
                        "specified region {region} but volume is in region {}, use the same region as the volume",
                        found.region
                    )));
                }
                region.clone_from(&found.region);
                VolumeChoice::Existing { id: id.clone(), name: found.name.clone() }
            }
            CloneVolume::SameName => {
                let source_size = volumes
                    .iter()
                    .find(|v| Some(v.id.as_str()) == super::mounted_volume(source))
                    .map_or(1, |v| v.size_gb);
                FreeVolumes::new(volumes).choose(&mount.name, &region, source_size)
            }
        });
    } else if let CloneVolume::Attach(id) = &options.volume {
        return Err(PlanError::Invalid(format!(
            "machine {} mounts no volume, so volume {id} has nowhere to go",
            source.id
        )));
    }
    let mut plan = single(
        app,
        "machine clone",
        &format!("clone machine {} into {region}", source.id),
        Action::Create {
            key: "clone".to_owned(),
            group,
            region,
            role: Role::Clone,
            config: Arc::new(clone),
            skip_launch: false,
            cordoned: false,
            volume,
            standby_for: None,
            name: options.name.clone(),
            wait: Wait { state: true, smoke: false, healthy: true },
        },
        machines,
    );
    let created_group = plan.actions().find_map(|a| match a {
        Action::Create { group, .. } => Some(group.clone()),
        _ => None,
    });
    if let Some(group) = created_group.filter(|_| is_managed(source) || options.group.is_some()) {
        *plan.expected_counts.entry(group).or_default() += 1;
    }
    Ok(plan)
}

/// `fly machine update`: CPUs, memory, metadata (merged) and env (merged; an empty value removes the key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineUpdateOptions {
    pub cpus: Option<u32>,
    pub memory_mb: Option<u32>,
    pub cpu_kind: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    pub image: Option<String>,
}

pub fn plan_machine_update(
    app: &str,
    machines: &[Machine],
    id_or_name: &str,
    options: &MachineUpdateOptions,
) -> Result<Plan, PlanError> {
    let machine = find(machines, id_or_name)?;
    let existing =
        machine.config.clone().ok_or_else(|| PlanError::Invalid(format!("machine {} has no config", machine.id)))?;
    let mut config = existing.clone();
    if options.cpus.is_some() || options.memory_mb.is_some() || options.cpu_kind.is_some() {
        // A machine without a guest runs the platform's default size.
        let mut guest = config.guest.clone().unwrap_or_else(crate::machine::Guest::platform_default);
        if let Some(cpus) = options.cpus {
            guest.cpus = cpus;
        }
        if let Some(memory) = options.memory_mb {
            guest.memory_mb = memory;
        }
        if let Some(kind) = &options.cpu_kind {
            guest.cpu_kind.clone_from(kind);
        }
        guest.check().map_err(|e| PlanError::Size(e.to_string()))?;
        config.guest = Some(guest);
    }
    config.metadata.extend(options.metadata.clone());
    for (key, value) in &options.env {
        if value.is_empty() {
            config.env.remove(key);
        } else {
            config.env.insert(key.clone(), value.clone());
        }
    }
    if let Some(image) = &options.image {
        config.image.clone_from(image);
    }
    let changes = config_changes(&existing, &config);
    let mut plan = Plan::new(app, "machine update", COMMAND_LEASE_TTL_SECS);
    plan.expected_counts = live_counts(machines.iter().filter(|m| is_managed(m)));
    if changes.is_empty() {
        plan.untouched.push((MachineRef::of(machine), "no config changes".to_owned()));
        return Ok(plan);
    }
    let start = machine.state == MachineState::Started && config.standbys.is_empty();
    plan.push(Phase::new(
        format!("update machine {}", machine.id),
        vec![Pool {
            label: "machine".to_owned(),
            concurrency: 1,
            spearhead: false,
            actions: vec![Action::Update {
                machine: MachineRef::of(machine),
                config: Arc::new(config),
                changes: changes.into(),
                start,
                replace: false,
                volume: None,
                min_secrets_version: None,
                wait: if start { Wait { state: true, smoke: false, healthy: true } } else { Wait::NONE },
            }],
        }],
    ));
    Ok(plan)
}

pub fn plan_stop(app: &str, machines: &[Machine], id_or_name: &str, signal: Option<&str>) -> Result<Plan, PlanError> {
    plan_machines_command(app, machines, &[id_or_name], &MachineCommand::Stop { signal: signal.map(str::to_owned) })
}

/// Restarts one started machine and waits until it is healthy again.
pub fn plan_restart(app: &str, machines: &[Machine], id_or_name: &str) -> Result<Plan, PlanError> {
    plan_machines_command(app, machines, &[id_or_name], &MachineCommand::Restart)
}

pub fn plan_start(app: &str, machines: &[Machine], id_or_name: &str) -> Result<Plan, PlanError> {
    plan_machines_command(app, machines, &[id_or_name], &MachineCommand::Start)
}

/// `fly machine remove`: a started machine needs force; its volume is detached and kept.
pub fn plan_remove(app: &str, machines: &[Machine], id_or_name: &str, force: bool) -> Result<Plan, PlanError> {
    plan_machines_command(app, machines, &[id_or_name], &MachineCommand::Remove { force })
}

/// What [`plan_machines_command`] does to each machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineCommand {
    Stop {
        signal: Option<String>,
    },
    Start,
    Restart,
    /// A started machine needs force; volumes are detached and kept.
    Remove {
        force: bool,
    },
}

impl MachineCommand {
    fn name(&self) -> &'static str {
        match self {
            MachineCommand::Stop { .. } => "stop",
            MachineCommand::Start => "start",
            MachineCommand::Restart => "restart",
            MachineCommand::Remove { .. } => "remove",
        }
    }
}

/// `fly machine stop|start|restart|remove ID...`: one command for several machines (ids or names), each as its
/// one-machine plan has it, one machine after another as flyctl goes through them. A machine named twice is done
/// once; if one of them cannot be (not found, or started without force for remove), nothing is planned.
pub fn plan_machines_command(
    app: &str,
    machines: &[Machine],
    ids_or_names: &[&str],
    command: &MachineCommand,
) -> Result<Plan, PlanError> {
    if ids_or_names.is_empty() {
        return Err(PlanError::Invalid(format!("machine {} needs at least one machine", command.name())));
    }
    let mut plan = Plan::new(app, format!("machine {}", command.name()), COMMAND_LEASE_TTL_SECS);
    plan.expected_counts = live_counts(machines.iter().filter(|m| is_managed(m)));
    let mut actions = Vec::new();
    let mut done = std::collections::BTreeSet::new();
    for id_or_name in ids_or_names {
        let machine = find(machines, id_or_name)?;
        if !done.insert(machine.id.as_str()) {
            continue;
        }
        let target = || Target::Existing(MachineRef::of(machine));
        actions.push(match command {
            MachineCommand::Stop { signal } => {
                // Signal names are ASCII (SIGINT): other letters are left as written.
                Action::Stop { machine: target(), signal: signal.as_deref().map(str::to_ascii_uppercase) }
            }
            MachineCommand::Start => Action::Start { machine: target(), wait: Wait::STATE },
            MachineCommand::Restart => {
                if machine.state != MachineState::Started {
                    return Err(PlanError::Invalid(format!(
                        "machine {} is {}: only a started machine restarts",
                        machine.id, machine.state
                    )));
                }
                Action::Restart { machine: MachineRef::of(machine), wait: Wait::FULL }
            }
            MachineCommand::Remove { force } => {
                if matches!(machine.state, MachineState::Started | MachineState::Starting) && !force {
                    return Err(PlanError::StartedMachine(machine.id.clone()));
                }
                if let Some(volume) = super::mounted_volume(machine) {
                    plan.warnings.push(format!("volume {volume} stays, unattached"));
                }
                if is_managed(machine)
                    && let Some(count) = plan.expected_counts.get_mut(group_of(machine))
                {
                    *count = count.saturating_sub(1);
                }
                Action::Destroy { machine: target(), force: *force, reason: "removed on request".to_owned() }
            }
        });
    }
    plan.expected_counts.retain(|_, c| *c > 0);
    let (title, label) = match actions.len() {
        1 => (command.name().to_owned(), "machine"),
        n => (format!("{} {n} machines", command.name()), "machines"),
    };
    plan.push(Phase::new(title, vec![Pool { label: label.to_owned(), concurrency: 1, spearhead: false, actions }]));
    Ok(plan)
}

/// Assigns machines to `group` (metadata `fly_process_group`; they become managed if they were not), followed by
/// the deploy plan that gives them the group's config from fly.toml.
pub fn plan_assign_group(
    input: &DeployInput<'_>,
    machine_ids: &[&str],
    group: &str,
    options: &DeployOptions,
) -> Result<Plan, PlanError> {
    let config = input.config;
    if !config.has_group(group) {
        return Err(PlanError::UnknownGroup { group: group.to_owned(), known: config.process_names().join(", ") });
    }
    let mut moved: Vec<Machine> = input.machines.to_vec();
    let mut actions = Vec::new();
    for id in machine_ids {
        let machine = find(input.machines, id)?;
        let index = moved.iter().position(|m| m.id == machine.id).unwrap_or_default();
        let target = Target::Existing(MachineRef::of(machine));
        if group_of(machine) != group || !is_managed(machine) {
            actions.push(Action::SetMetadata {
                machine: target.clone(),
                key: META_PROCESS_GROUP.to_owned(),
                value: group.to_owned(),
            });
        }
        if !is_managed(machine) {
            actions.push(Action::SetMetadata {
                machine: target,
                key: crate::config::META_PLATFORM_VERSION.to_owned(),
                value: crate::config::PLATFORM_VERSION.to_owned(),
            });
        }
        if let Some(config) = moved.get_mut(index).and_then(|m| m.config.as_mut()) {
            config.metadata.insert(META_PROCESS_GROUP.to_owned(), group.to_owned());
            config
                .metadata
                .insert(crate::config::META_PLATFORM_VERSION.to_owned(), crate::config::PLATFORM_VERSION.to_owned());
        }
    }
    let after = DeployInput { machines: &moved, ..*input };
    // The group's config is applied to the moved machines only; the rest of the app is not redeployed.
    let mut deploy =
        plan_deploy(&after, &DeployOptions { update_only: true, skip_release_command: true, ..options.clone() })?;
    let ids: Vec<String> =
        machine_ids.iter().filter_map(|id| find(input.machines, id).ok()).map(|m| m.id.clone()).collect();
    for phase in &mut deploy.phases {
        for pool in &mut phase.pools {
            pool.actions.retain(|a| a.existing_machine().is_some_and(|m| ids.contains(&m.id)));
        }
        phase.pools.retain(|p| !p.actions.is_empty());
    }
    deploy.phases.retain(|p| !p.pools.is_empty());
    deploy.untouched.retain(|(m, _)| ids.contains(&m.id));
    let mut plan = Plan::new(input.app, format!("assign to process group {group}"), deploy.lease_ttl_secs);
    plan.wait_timeout_secs = deploy.wait_timeout_secs;
    plan.push(Phase::new(
        format!("assign machines to group {group}"),
        vec![Pool { label: "metadata".to_owned(), concurrency: 4, spearhead: false, actions }],
    ));
    plan.phases.extend(deploy.phases);
    plan.untouched = deploy.untouched;
    plan.warnings = deploy.warnings;
    plan.expected_counts = live_counts(moved.iter().filter(|m| is_managed(m)));
    Ok(plan)
}
