//! `scale count` and `scale vm` (flyctl-behaviour.md §C). Counts are per process group over a list of regions;
//! unlike flyctl, new machines go to the regions with the fewest (balanced placement) and scale-down takes idle
//! machines first (stopped, then standbys, then started; #2163). Volumes are detached, never destroyed, and the
//! last machine of a group holding a volume is removed only with force.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::{Machine, MachineState, Volume};
use crate::config::{AppConfig, Guest, PRESETS, preset_named};

use super::{
    Action, COMMAND_LEASE_TTL_SECS, FreeVolumes, MAX_MACHINES_PER_GROUP, MachineRef, Phase, Plan, PlanError, Pool,
    Role, Target, Wait, config_changes, group_of, is_managed, is_standby, is_started, live_counts, mounted_volume,
};

/// A group's wanted count: absolute (`web=3`) or relative (`web=+2`, `-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Absolute(usize),
    Relative(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct GroupCount {
    pub group: String,
    pub count: Count,
}

/// Which machines go first when a region has too many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ScaleDownOrder {
    /// Stopped and suspended machines, then standbys, then started ones (the default).
    #[default]
    IdleFirst,
    /// The API's order, as flyctl.
    ApiOrder,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleCountOptions {
    /// Where the counts apply; else every region the app runs in, else `primary_region`.
    pub regions: Vec<String>,
    pub max_per_region: Option<usize>,
    pub order: ScaleDownOrder,
    /// Remove the last machine of a group holding a volume (the volume stays).
    pub force: bool,
    /// For groups without machines: else `[build] image`, else another machine's image.
    pub image: Option<String>,
}

fn parse_number(text: &str, arg: &str) -> Result<Count, PlanError> {
    let invalid = || PlanError::InvalidCount(format!("'{arg}' is not a valid process=count option"));
    if let Some(rest) = text.strip_prefix('+').or_else(|| text.strip_prefix('-').map(|_| text)) {
        let delta: i64 = rest.parse().map_err(|_| invalid())?;
        if delta == 0 {
            return Err(PlanError::InvalidCount(format!("invalid relative scale count '{arg}'")));
        }
        return Ok(Count::Relative(delta));
    }
    text.parse::<usize>().map(Count::Absolute).map_err(|_| invalid())
}

/// Parses `3`, `+2`, `web=3 worker=10`, `web=+2` (flyctl's forms). A bare count applies to `default_group` (flyctl
/// uses the literal group `app`, which fails for apps without one).
pub fn parse_counts(args: &[&str], default_group: &str) -> Result<Vec<GroupCount>, PlanError> {
    let mut counts: Vec<GroupCount> = Vec::new();
    for arg in args {
        let (group, number) = match arg.split_once('=') {
            Some((group, number)) if !group.is_empty() => (group.to_owned(), number),
            Some(_) => return Err(PlanError::InvalidCount(format!("'{arg}' is not a valid process=count option"))),
            None => (default_group.to_owned(), *arg),
        };
        let count = parse_number(number.trim(), arg)?;
        if counts.iter().any(|c| c.group == group) {
            return Err(PlanError::InvalidCount(format!("group {group} is given twice")));
        }
        counts.push(GroupCount { group, count });
    }
    if counts.is_empty() {
        return Err(PlanError::InvalidCount("give a count: `3`, `+1` or `web=3 worker=10`".to_owned()));
    }
    Ok(counts)
}

/// `in_regions` machines wanted in the listed regions, when they and the group's `outside` them (which stay) come to
/// at most [`MAX_MACHINES_PER_GROUP`]. Counted in i128, so that no count, delta or sum wraps around (a huge `+N`
/// once wrapped to a negative total, read as 0: a plan destroying the whole group).
fn within_cap(group: &str, in_regions: i128, outside: usize) -> Result<usize, PlanError> {
    let total = in_regions + outside as i128;
    if total > MAX_MACHINES_PER_GROUP as i128 {
        return Err(PlanError::TooManyMachines {
            group: group.to_owned(),
            wanted: total.to_string(),
            max: MAX_MACHINES_PER_GROUP,
        });
    }
    Ok(usize::try_from(in_regions.max(0)).unwrap_or_default())
}

/// The order victims leave a region in.
fn victim_rank(machine: &Machine, order: ScaleDownOrder) -> u8 {
    match order {
        ScaleDownOrder::ApiOrder => 0,
        ScaleDownOrder::IdleFirst if is_standby(machine) => 1,
        ScaleDownOrder::IdleFirst if is_started(machine) => 2,
        ScaleDownOrder::IdleFirst => 0,
    }
}

/// Spreads `expected` machines over `regions` starting from `current`: additions go to the region with the fewest
/// (ties: earlier in the list), removals come from the one with the most (ties: later in the list, so the first
/// region — usually the primary — is trimmed last).
fn distribute(current: &[usize], expected: usize, max: Option<usize>) -> Vec<usize> {
    let mut target: Vec<usize> = current.iter().map(|&c| max.map_or(c, |m| c.min(m))).collect();
    let mut total: usize = target.iter().sum();
    while total < expected {
        let Some(index) =
            (0..target.len()).filter(|&i| max.is_none_or(|m| target[i] < m)).min_by_key(|&i| (target[i], i))
        else {
            break;
        };
        target[index] += 1;
        total += 1;
    }
    while total > expected {
        let Some(index) = (0..target.len()).filter(|&i| target[i] > 0).max_by_key(|&i| (target[i], i)) else { break };
        target[index] -= 1;
        total -= 1;
    }
    target
}

/// What a scale plan collects while it goes through the groups.
struct Scaling<'a> {
    config: &'a AppConfig,
    managed: Vec<&'a Machine>,
    options: &'a ScaleCountOptions,
    free: FreeVolumes,
    expected_counts: BTreeMap<String, usize>,
    creates: Vec<Action>,
    destroys: Vec<Action>,
    warnings: Vec<String>,
}

impl<'a> Scaling<'a> {
    fn new(config: &'a AppConfig, machines: &'a [Machine], volumes: &[Volume], options: &'a ScaleCountOptions) -> Self {
        let managed: Vec<&Machine> = machines.iter().filter(|m| is_managed(m)).collect();
        Scaling {
            config,
            expected_counts: live_counts(managed.iter().copied()),
            managed,
            options,
            free: FreeVolumes::new(volumes),
            creates: Vec::new(),
            destroys: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn in_group(&self, group: &str) -> Result<Vec<&'a Machine>, PlanError> {
        if !self.config.has_group(group) {
            return Err(PlanError::UnknownGroup {
                group: group.to_owned(),
                known: self.config.process_names().join(", "),
            });
        }
        Ok(self.managed.iter().copied().filter(|m| group_of(m) == group).collect())
    }

    /// Brings `group` to `target[i]` machines in `regions[i]`: clones of its running machine (else of its fly.toml
    /// config) where it has too few, and removals (idle first; volumes detached, never destroyed) where too many.
    /// Machines in regions not listed are left alone.
    fn scale_group(&mut self, group: &str, regions: &[String], target: &[usize]) -> Result<(), PlanError> {
        let in_group = self.in_group(group)?;
        let current: Vec<usize> = regions.iter().map(|r| in_group.iter().filter(|m| &m.region == r).count()).collect();
        let outside = in_group.len() - current.iter().sum::<usize>();
        let wanted = outside + within_cap(group, target.iter().map(|&n| n as i128).sum(), outside)?;
        if wanted == 0 {
            self.expected_counts.remove(group);
        } else {
            self.expected_counts.insert(group.to_owned(), wanted);
        }

        let template = in_group.iter().find(|m| is_started(m)).or_else(|| in_group.first()).copied();
        let mut template_config = match template.and_then(|m| m.config.clone()) {
            Some(mut config) => {
                config.standbys.clear();
                config.env.remove("FLY_STANDBY_FOR");
                config
            }
            None => {
                let mut machine = self.config.machine_config(group, None)?;
                machine.image = super::resolve_image(self.options.image.as_deref(), self.config, &self.managed)?;
                machine
            }
        };
        let mount_name = template_config.mounts.first().map(|m| m.name.clone()).filter(|n| !n.is_empty());
        for mount in &mut template_config.mounts {
            mount.volume.clear();
        }
        let template_config = Arc::new(template_config);
        let mut holders: BTreeMap<String, usize> = BTreeMap::new();
        for machine in &in_group {
            if let Some(name) = machine.config.as_ref().and_then(|c| c.mounts.first()).map(|m| m.name.clone())
                && mounted_volume(machine).is_some()
            {
                *holders.entry(name).or_default() += 1;
            }
        }
        for (index, region) in regions.iter().enumerate() {
            let (now, want) = (current[index], target[index]);
            for n in now..want {
                let volume = mount_name.as_deref().map(|name| self.free.choose(name, region, 1));
                self.creates.push(Action::Create {
                    key: format!("scale:{group}:{region}:{}", n + 1),
                    group: group.to_owned(),
                    region: region.clone(),
                    role: Role::Clone,
                    config: Arc::clone(&template_config),
                    skip_launch: false,
                    cordoned: false,
                    volume,
                    standby_for: None,
                    name: None,
                    wait: Wait::STATE,
                });
            }
            if want < now {
                let mut here: Vec<(usize, &Machine)> =
                    in_group.iter().copied().filter(|m| &m.region == region).enumerate().collect();
                crate::sort::sort_by_key(&mut here, |(position, m)| (victim_rank(m, self.options.order), *position));
                for (_, victim) in here.into_iter().take(now - want) {
                    if let (Some(volume), Some(name)) = (
                        mounted_volume(victim),
                        victim.config.as_ref().and_then(|c| c.mounts.first()).map(|m| m.name.clone()),
                    ) {
                        let left = holders.entry(name.clone()).or_default();
                        *left = left.saturating_sub(1);
                        if *left == 0 && !self.options.force {
                            return Err(PlanError::LastVolumeHolder {
                                machine: victim.id.clone(),
                                group: group.to_owned(),
                                volume: name,
                            });
                        }
                        self.warnings.push(format!("volume {volume} of machine {} stays, unattached", victim.id));
                    }
                    self.destroys.push(Action::Destroy {
                        machine: Target::Existing(MachineRef::of(victim)),
                        force: true,
                        reason: format!("scale {group} in {region} from {now} to {want}"),
                    });
                }
            }
        }
        Ok(())
    }

    fn into_plan(self, app: &str, operation: &str) -> Plan {
        let mut plan = Plan::new(app, operation, COMMAND_LEASE_TTL_SECS);
        plan.warnings = self.warnings;
        plan.expected_counts = self.expected_counts;
        let pool = |label: &str, actions| Pool { label: label.to_owned(), concurrency: 5, spearhead: false, actions };
        plan.push(Phase::new(
            "scale",
            vec![pool("new machines", self.creates), pool("removed machines", self.destroys)],
        ));
        plan
    }
}

/// Plans `fly scale count`.
pub fn plan_scale_count(
    app: &str,
    config: &AppConfig,
    machines: &[Machine],
    volumes: &[Volume],
    counts: &[GroupCount],
    options: &ScaleCountOptions,
) -> Result<Plan, PlanError> {
    let mut scaling = Scaling::new(config, machines, volumes, options);
    let mut regions: Vec<String> = Vec::new();
    let candidates: Vec<String> = if options.regions.is_empty() {
        let mut found: Vec<String> = scaling.managed.iter().map(|m| m.region.clone()).collect();
        if let Some(primary) = config.primary_region.clone().filter(|r| !r.is_empty()) {
            found.insert(0, primary);
        }
        found
    } else {
        options.regions.clone()
    };
    for region in candidates.into_iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()) {
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    if regions.is_empty() {
        return Err(PlanError::NoRegion);
    }
    for GroupCount { group, count } in counts {
        let in_group = scaling.in_group(group)?;
        let current: Vec<usize> = regions.iter().map(|r| in_group.iter().filter(|m| &m.region == r).count()).collect();
        let in_regions = current.iter().sum::<usize>();
        let expected = match count {
            Count::Absolute(n) => *n as i128,
            Count::Relative(delta) => (in_regions as i128 + i128::from(*delta)).max(0),
        };
        // Checked before placement, which adds one machine at a time up to the count.
        let expected_in_regions = within_cap(group, expected, in_group.len() - in_regions)?;
        if let Some(max) = options.max_per_region
            && regions.len().saturating_mul(max) < expected_in_regions
        {
            return Err(PlanError::TooFewRegions { regions: regions.len(), max, expected: expected_in_regions });
        }
        let target = distribute(&current, expected_in_regions, options.max_per_region);
        scaling.scale_group(group, &regions, &target)?;
    }
    Ok(scaling.into_plan(app, "scale count"))
}

/// Plans per-region counts for each group at once (`{ web: { iad: 4, fra: 2, syd: 1, gru: 1 } }`), the dashboard's
/// scale grid: each listed cell gets exactly its count; regions a group does not list keep what they have. Same
/// placement and removal rules as [`plan_scale_count`] (`options.regions` and `max_per_region` do not apply).
pub fn plan_scale_regions(
    app: &str,
    config: &AppConfig,
    machines: &[Machine],
    volumes: &[Volume],
    desired: &super::DesiredCounts,
    options: &ScaleCountOptions,
) -> Result<Plan, PlanError> {
    let mut scaling = Scaling::new(config, machines, volumes, options);
    for (group, cells) in desired {
        let regions: Vec<String> = cells.keys().map(|r| r.trim().to_owned()).collect();
        if regions.iter().any(String::is_empty) {
            return Err(PlanError::NoRegion);
        }
        let target: Vec<usize> = cells.values().copied().collect();
        scaling.scale_group(group, &regions, &target)?;
    }
    Ok(scaling.into_plan(app, "scale regions"))
}

/// `fly scale vm SIZE [--memory MB] [-g GROUP]` and `fly scale memory MB`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScaleVmOptions {
    /// A preset (`shared-cpu-2x`, `performance-1x`, …); `None` keeps each machine's CPUs (`scale memory`).
    pub size: Option<String>,
    pub memory_mb: Option<u32>,
    pub group: Option<String>,
}

/// Plans a VM size change of every live machine of a group, one machine at a time, each waited for.
pub fn plan_scale_vm(
    app: &str,
    config: &AppConfig,
    machines: &[Machine],
    options: &ScaleVmOptions,
) -> Result<Plan, PlanError> {
    let preset = match options.size.as_deref() {
        Some(size) => Some(preset_named(size).ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            PlanError::Size(format!("'{size}' is an invalid machine size, choose one of: {}", names.join(", ")))
        })?),
        None if options.memory_mb.is_none() => {
            return Err(PlanError::Size("give a size or a memory amount".to_owned()));
        }
        None => None,
    };
    let groups = config.process_names();
    let group = match &options.group {
        Some(group) if config.has_group(group) => group.clone(),
        Some(group) => return Err(PlanError::UnknownGroup { group: group.clone(), known: groups.join(", ") }),
        None if groups.len() > 1 => return Err(PlanError::GroupNeeded(groups.join(", "))),
        None => config.default_group(),
    };
    let mut plan = Plan::new(app, format!("scale vm ({group})"), COMMAND_LEASE_TTL_SECS);
    let targets: Vec<&Machine> = machines
        .iter()
        .filter(|m| !m.state.is_gone() && group_of(m) == group && m.config.is_some())
        .filter(|m| !crate::config::RESERVED_GROUPS.contains(&group_of(m)))
        .collect();
    if targets.is_empty() {
        return Err(PlanError::EmptyGroup(group));
    }
    let mut actions = Vec::new();
    let mut wanted_guest = None;
    for machine in &targets {
        let existing = machine.config.clone().unwrap_or_default();
        let mut guest: Guest = match preset {
            Some(preset) => {
                let mut guest = Guest::from(preset);
                if let Some(old) = &existing.guest {
                    guest.host_dedication_id.clone_from(&old.host_dedication_id);
                    guest.kernel_args.clone_from(&old.kernel_args);
                }
                guest
            }
            None => existing.guest.clone().unwrap_or_else(Guest::platform_default),
        };
        if let Some(memory) = options.memory_mb {
            guest.memory_mb = memory;
        }
        guest.check().map_err(|e| PlanError::Size(e.to_string()))?;
        wanted_guest = Some(guest.clone());
        let mut config = existing.clone();
        config.guest = Some(guest);
        let changes = config_changes(&existing, &config);
        if changes.is_empty() {
            plan.untouched.push((MachineRef::of(machine), "already this size".to_owned()));
            continue;
        }
        let start = machine.state == MachineState::Started;
        actions.push(Action::Update {
            machine: MachineRef::of(machine),
            config: Arc::new(config),
            changes: changes.into(),
            start,
            replace: false,
            volume: None,
            min_secrets_version: None,
            wait: if start { Wait { state: true, smoke: false, healthy: true } } else { Wait::NONE },
        });
    }
    if let (Some(compute), Some(guest)) = (config.compute_for(&group), wanted_guest) {
        let declared = crate::config::compute_to_guest(compute, None).ok();
        if declared
            .is_some_and(|d| d.cpus != guest.cpus || d.memory_mb != guest.memory_mb || d.cpu_kind != guest.cpu_kind)
        {
            plan.warnings.push(format!(
                "fly.toml has a [[vm]] for group {group} with another size: the next deploy will undo this change \
                 unless you change it there too"
            ));
        }
    }
    plan.expected_counts = live_counts(machines.iter().filter(|m| is_managed(m)));
    plan.push(Phase::new(
        "resize machines, one at a time",
        vec![Pool { label: group.clone(), concurrency: 1, spearhead: false, actions }],
    ));
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_like_flyctl() {
        let parsed = parse_counts(&["web=3", "worker=+2", "db=-1"], "app").unwrap();
        assert_eq!(
            parsed,
            [
                GroupCount { group: "web".into(), count: Count::Absolute(3) },
                GroupCount { group: "worker".into(), count: Count::Relative(2) },
                GroupCount { group: "db".into(), count: Count::Relative(-1) },
            ]
        );
        assert_eq!(
            parse_counts(&["4"], "web").unwrap()[0],
            GroupCount { group: "web".into(), count: Count::Absolute(4) }
        );
        assert!(
            matches!(parse_counts(&["+0"], "app"), Err(PlanError::InvalidCount(m)) if m.contains("invalid relative"))
        );
        assert!(
            matches!(parse_counts(&["web=x"], "app"), Err(PlanError::InvalidCount(m)) if m.contains("not a valid"))
        );
        assert!(parse_counts(&["=3"], "app").is_err());
        assert!(parse_counts(&[], "app").is_err());
    }

    /// `n` started, managed machines of group `web` in iad.
    fn web_machines(n: usize) -> Vec<Machine> {
        (0..n)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("m{i}"), "name": format!("web-{i}"), "state": "started", "region": "iad",
                    "config": { "image": "nginx", "metadata": { "fly_platform_version": "v2", "fly_process_group": "web" } }
                }))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn counts_beyond_the_cap_are_refused_and_huge_deltas_never_wrap_to_zero() {
        let config = crate::config::parse("app = 'x'\nprimary_region = 'iad'\n[processes]\nweb = 'w'\n").config;
        let machines = web_machines(2);
        let options = ScaleCountOptions::default();
        let count =
            |arg: &str| plan_scale_count("x", &config, &machines, &[], &parse_counts(&[arg], "web").unwrap(), &options);
        // Each of these once built actions until memory ran out (wasm aborted) or, for the delta, wrapped to a
        // negative total read as 0: a plan destroying both machines.
        for arg in ["web=100000000", "web=18446744073709551615", "web=+9223372036854775807", "web=10001", "web=+9999"] {
            assert!(matches!(count(arg), Err(PlanError::TooManyMachines { max: MAX_MACHINES_PER_GROUP, .. })), "{arg}");
        }
        let creates = |plan: Plan| {
            plan.phases.iter().flat_map(|p| p.actions()).filter(|a| matches!(a, Action::Create { .. })).count()
        };
        assert_eq!(creates(count("web=10000").unwrap()), 9_998);
        assert_eq!(creates(count("web=+9998").unwrap()), 9_998);
        let everything_gone = count("web=-9223372036854775808").unwrap();
        assert_eq!(everything_gone.expected_counts.get("web"), None, "a huge negative delta scales to 0, no further");
        // Listed regions without the group's machines: the two in iad stay and count towards the cap (a sum that
        // once overflowed and wrapped to a small number).
        let elsewhere = ScaleCountOptions { regions: vec!["fra".into()], ..options.clone() };
        let in_fra = |arg: &str| {
            plan_scale_count("x", &config, &machines, &[], &parse_counts(&[arg], "web").unwrap(), &elsewhere)
        };
        for arg in ["web=18446744073709551615", "web=18446744073709551614", "web=9999"] {
            assert!(matches!(in_fra(arg), Err(PlanError::TooManyMachines { .. })), "{arg}");
        }
        assert_eq!(in_fra("web=9998").unwrap().expected_counts.get("web"), Some(&10_000));

        // A maximum per region as large as a count can be: regions × max must not overflow.
        let unbounded = ScaleCountOptions {
            regions: vec!["iad".into(), "fra".into()],
            max_per_region: Some(usize::MAX),
            ..options.clone()
        };
        let plan =
            plan_scale_count("x", &config, &machines, &[], &parse_counts(&["web=3"], "web").unwrap(), &unbounded);
        assert_eq!(plan.unwrap().expected_counts.get("web"), Some(&3));

        let grid = |cells: &[(&str, usize)]| {
            let desired: super::super::DesiredCounts =
                [("web".to_owned(), cells.iter().map(|(region, n)| ((*region).to_owned(), *n)).collect())].into();
            plan_scale_regions("x", &config, &machines, &[], &desired, &options)
        };
        assert!(matches!(grid(&[("fra", usize::MAX), ("syd", usize::MAX)]), Err(PlanError::TooManyMachines { .. })));
        assert!(matches!(grid(&[("fra", 9_999)]), Err(PlanError::TooManyMachines { .. })), "iad's two count too");
        assert_eq!(creates(grid(&[("fra", 9_998)]).unwrap()), 9_998);
    }

    #[test]
    fn placement_is_balanced_and_the_first_region_is_trimmed_last() {
        assert_eq!(distribute(&[2, 0], 3, None), [2, 1], "flyctl would give a third to the first region");
        assert_eq!(distribute(&[0, 0, 0, 0], 8, None), [2, 2, 2, 2]);
        assert_eq!(distribute(&[3, 3], 4, None), [2, 2]);
        assert_eq!(distribute(&[1, 1, 1], 2, None), [1, 1, 0]);
        assert_eq!(distribute(&[5, 0], 4, Some(2)), [2, 2]);
    }
}
