//! Drift: what fly.toml and the declared counts want against what runs — per process group and region (counts),
//! and per machine (the config changes a deploy would make). fly.toml cannot declare counts (§F.25), so the
//! desired counts are passed in.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::api::Machine;
use crate::config::AppConfig;

use super::{Change, MachineRef, config_changes, group_of, is_managed};

/// Desired machines per group, then per region.
pub type DesiredCounts = BTreeMap<String, BTreeMap<String, usize>>;

/// One group × region cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct GroupDrift {
    pub group: String,
    pub region: String,
    /// `None` when no count is declared for this cell.
    pub desired: Option<usize>,
    pub running: usize,
    pub stopped: usize,
}

impl GroupDrift {
    /// Machines to add (positive) or remove (negative) to meet the declared count.
    pub fn delta(&self) -> i64 {
        let actual = i64::try_from(self.running + self.stopped).unwrap_or(i64::MAX);
        self.desired.map_or(0, |d| i64::try_from(d).unwrap_or(i64::MAX) - actual)
    }
}

/// A machine whose config differs from what fly.toml gives its group (or whose group fly.toml no longer has).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct MachineDrift {
    pub machine: MachineRef,
    pub changes: Vec<Change>,
    /// The group is not in fly.toml any more: a deploy would destroy the machine.
    pub orphaned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Drift {
    pub cells: Vec<GroupDrift>,
    pub machines: Vec<MachineDrift>,
    /// Live machines deploys do not manage.
    pub unmanaged: Vec<MachineRef>,
}

impl Drift {
    /// Nothing differs.
    pub fn is_clean(&self) -> bool {
        self.cells.iter().all(|c| c.delta() == 0) && self.machines.is_empty()
    }
}

/// Compares `config` (and `desired` counts) with `machines`. The image is not compared (it comes from the
/// deploy, not from fly.toml) unless fly.toml names one.
pub fn drift(config: &AppConfig, machines: &[Machine], desired: &DesiredCounts) -> Drift {
    let mut report = Drift::default();
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let groups: BTreeSet<String> = crate::sort::set_of(config.process_names());
    for machine in machines.iter().filter(|m| !m.state.is_gone()) {
        if !is_managed(machine) {
            if super::is_unmanaged(machine) {
                report.unmanaged.push(MachineRef::of(machine));
            }
            continue;
        }
        let group = group_of(machine);
        let cell = counts.entry((group.to_owned(), machine.region.clone())).or_default();
        if super::is_started(machine) {
            cell.0 += 1
        } else {
            cell.1 += 1
        }
        let existing = machine.config.clone().unwrap_or_default();
        if !groups.contains(group) {
            report.machines.push(MachineDrift {
                machine: MachineRef::of(machine),
                changes: Vec::new(),
                orphaned: true,
            });
            continue;
        }
        let Ok(mut wanted) = super::deploy::desired_config(config, group, &existing) else { continue };
        match config.build.as_ref().and_then(|b| b.image.clone()) {
            Some(image) => wanted.image = image,
            None => wanted.image.clone_from(&existing.image),
        }
        let changes = config_changes(&existing, &wanted);
        if !changes.is_empty() {
            report.machines.push(MachineDrift { machine: MachineRef::of(machine), changes, orphaned: false });
        }
    }
    for (group, regions) in desired {
        for region in regions.keys() {
            counts.entry((group.clone(), region.clone())).or_default();
        }
    }
    for ((group, region), (running, stopped)) in counts {
        let desired = desired.get(&group).and_then(|r| r.get(&region)).copied();
        report.cells.push(GroupDrift { group, region, desired, running, stopped });
    }
    report
}
