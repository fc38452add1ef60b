//! A run's progress as data, folded from its events: how many steps of how many are done, one row per machine
//! (its group, current step, state, checks and outcome), the release command's exit code, and a timeline of
//! flyctl-style lines with the time each happened. Pure: the dashboard's live view, the CLI and tests fold the same
//! events the same way.

use serde::Serialize;

use super::{Event, Outcome};
use crate::plan::{Action, Plan, Target};

/// Where a run is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    #[default]
    Waiting,
    Running,
    Succeeded,
    Failed,
}

/// One machine's line in the live view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct MachineProgress {
    /// The machine's id (before it exists: the plan's key for it).
    pub machine: String,
    pub group: String,
    pub region: Option<String>,
    /// What is being done to it (`update`, `create`, `stop`, …), or what was done last.
    pub step: String,
    pub description: String,
    pub state: Option<String>,
    /// `(passing, total)` of its health checks, when the run waited for them.
    pub checks: Option<(usize, usize)>,
    /// Whether any step on it has begun (a plan's machines are listed, queued, before the run reaches them).
    pub started: bool,
    /// `None` while its step runs (or before it starts).
    pub outcome: Option<Outcome>,
}

/// A line of the timeline: milliseconds since the run started, and the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct TimelineEntry {
    pub at_ms: u64,
    pub line: String,
}

/// A run's progress so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Progress {
    pub state: RunState,
    pub operation: String,
    /// Steps in the plan, and steps finished (whatever their outcome).
    pub total: usize,
    pub finished: usize,
    pub failed: usize,
    pub current_phase: Option<String>,
    /// In the order machines first appeared.
    pub machines: Vec<MachineProgress>,
    pub release_command: Option<(String, i64)>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// Plan keys of created machines and their ids: later events may still name a machine by its key.
    #[serde(skip)]
    created: Vec<(String, String)>,
}

/// The region an action's machine is in, when the plan knows it.
fn region_of(action: &Action) -> Option<&str> {
    let target = match action {
        Action::CreateApp { .. } => return None,
        Action::RunReleaseCommand { region, .. } => return region.as_deref(),
        Action::Create { region, .. } => return Some(region),
        Action::Update { machine, .. } | Action::Restart { machine, .. } => return Some(&machine.region),
        Action::Start { machine, .. }
        | Action::Stop { machine, .. }
        | Action::Cordon { machine }
        | Action::Uncordon { machine }
        | Action::SetMetadata { machine, .. }
        | Action::Destroy { machine, .. } => machine,
    };
    match target {
        Target::Existing(machine) => Some(&machine.region),
        Target::Planned { region, .. } => Some(region),
    }
}

impl Progress {
    /// The progress of a run of `plan` before it starts: every machine it acts on, queued, with its group and
    /// region, so the live view shows the whole plan from the first moment.
    pub fn for_plan(plan: &Plan) -> Progress {
        let mut progress = Progress { operation: plan.operation.clone(), ..Progress::default() };
        for action in plan.actions() {
            if matches!(action, Action::CreateApp { .. }) {
                continue;
            }
            let (machine, group, verb) = super::steps::identify(action);
            let description = action.describe();
            let region = region_of(action).filter(|r| !r.is_empty()).map(str::to_owned);
            let row = progress.row(&machine, &group);
            if row.step.is_empty() {
                row.step = verb;
                row.description = description;
            }
            if row.region.is_none() {
                row.region = region;
            }
        }
        progress.total = plan.actions().count();
        progress
    }

    /// Finished steps as a fraction of the plan's, for a progress bar.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            return if matches!(self.state, RunState::Succeeded | RunState::Failed) { 1.0 } else { 0.0 };
        }
        (self.finished as f64 / self.total as f64).min(1.0)
    }

    fn row(&mut self, machine: &str, group: &str) -> &mut MachineProgress {
        let id = self.created.iter().find(|(key, _)| key == machine).map_or(machine, |(_, id)| id.as_str());
        let index = match self.machines.iter().position(|m| m.machine == id) {
            Some(index) => index,
            None => {
                self.machines.push(MachineProgress {
                    machine: id.to_owned(),
                    group: group.to_owned(),
                    region: None,
                    step: String::new(),
                    description: String::new(),
                    state: None,
                    checks: None,
                    started: false,
                    outcome: None,
                });
                self.machines.len() - 1
            }
        };
        &mut self.machines[index]
    }

    /// Takes one event in; `at_ms` is when it happened, counted from the start of the run.
    pub fn apply(&mut self, event: &Event, at_ms: u64) {
        if let Some(line) = event.line() {
            self.timeline.push(TimelineEntry { at_ms, line });
        }
        match event {
            Event::PlanAccepted { operation, actions, .. } => {
                self.state = RunState::Running;
                self.operation.clone_from(operation);
                self.total = *actions;
            }
            Event::PhaseStarted { title, .. } => self.current_phase = Some(title.clone()),
            Event::ActionStarted { machine, group, verb, description } => {
                let row = self.row(machine, group);
                row.step.clone_from(verb);
                row.description.clone_from(description);
                row.started = true;
                row.outcome = None;
            }
            Event::ActionFinished { machine, group, outcome, .. } => {
                self.finished += 1;
                if matches!(outcome, Outcome::Failed(_)) {
                    self.failed += 1;
                }
                self.row(machine, group).outcome = Some(outcome.clone());
            }
            Event::MachineCreated { key, machine, group, region } => {
                // The row started under the plan's key: from now on it goes by the machine's id.
                self.created.push((key.clone(), machine.clone()));
                match self.machines.iter_mut().find(|m| &m.machine == key) {
                    Some(row) => row.machine.clone_from(machine),
                    None => {
                        self.row(machine, group);
                    }
                }
                self.row(machine, group).region = Some(region.clone());
            }
            Event::MachineState { machine, group, state } => self.row(machine, group).state = Some(state.clone()),
            Event::Checks { machine, group, passing, total } => {
                self.row(machine, group).checks = Some((*passing, *total));
            }
            Event::ReleaseCommand { machine, exit_code } => {
                self.release_command = Some((machine.clone(), *exit_code));
            }
            Event::Warning { message } => self.warnings.push(message.clone()),
            Event::Lease { .. } | Event::Info { .. } => {}
            Event::Done { .. } => self.state = RunState::Succeeded,
            Event::Failed { error } => {
                self.state = RunState::Failed;
                self.error = Some(error.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(machine: &str, verb: &str) -> Event {
        Event::ActionStarted {
            machine: machine.into(),
            group: "web".into(),
            verb: verb.into(),
            description: format!("{verb} {machine}"),
        }
    }

    fn finished(machine: &str, outcome: Outcome) -> Event {
        Event::ActionFinished { machine: machine.into(), group: "web".into(), verb: "update".into(), outcome }
    }

    #[test]
    fn folds_a_run_into_rows_counts_and_a_timeline() {
        let mut progress = Progress::default();
        assert_eq!(progress.fraction(), 0.0);
        progress.apply(&Event::PlanAccepted { app: "a".into(), operation: "deploy (rolling)".into(), actions: 3 }, 0);
        progress.apply(&started("m1", "update"), 5);
        progress.apply(&Event::MachineState { machine: "m1".into(), group: "web".into(), state: "started".into() }, 9);
        progress.apply(&Event::Checks { machine: "m1".into(), group: "web".into(), passing: 1, total: 2 }, 12);
        progress.apply(&finished("m1", Outcome::Succeeded), 20);
        progress.apply(&started("create:web:syd:1", "create"), 21);
        progress.apply(
            &Event::MachineCreated {
                key: "create:web:syd:1".into(),
                machine: "m2".into(),
                group: "web".into(),
                region: "syd".into(),
            },
            30,
        );
        // A step that fails after the machine exists may still name it by its key.
        progress.apply(&finished("create:web:syd:1", Outcome::Failed("boom".into())), 40);
        progress.apply(&Event::Failed { error: "machine m2 [web]: boom".into() }, 41);

        assert_eq!(progress.state, RunState::Failed);
        assert_eq!((progress.finished, progress.failed, progress.total), (2, 1, 3));
        assert!((progress.fraction() - 2.0 / 3.0).abs() < 1e-9);
        let ids: Vec<&str> = progress.machines.iter().map(|m| m.machine.as_str()).collect();
        assert_eq!(ids, ["m1", "m2"], "the created machine's row took its id, not a second row");
        assert_eq!(progress.machines[0].checks, Some((1, 2)));
        assert_eq!(progress.machines[0].state.as_deref(), Some("started"));
        assert_eq!(progress.machines[1].region.as_deref(), Some("syd"));
        assert_eq!(progress.machines[1].outcome, Some(Outcome::Failed("boom".into())));
        assert_eq!(progress.error.as_deref(), Some("machine m2 [web]: boom"));
        assert_eq!(progress.timeline.first().map(|t| t.at_ms), Some(0));
        assert!(progress.timeline.iter().any(|t| t.at_ms == 20 && t.line.contains("finished: success")));
    }

    #[test]
    fn a_plan_lists_its_machines_queued_with_their_regions() {
        let machine = |id: &str, region: &str| {
            let mut config = crate::machine::MachineConfig::default();
            config.metadata.insert("fly_platform_version".into(), "v2".into());
            config.metadata.insert("fly_process_group".into(), "web".into());
            crate::api::Machine {
                id: id.into(),
                region: region.into(),
                state: crate::api::MachineState::Started,
                config: Some(config),
                ..crate::api::Machine::default()
            }
        };
        let plan = crate::plan::plan_app_restart("a", &[machine("m1", "syd"), machine("m2", "fra")]);
        let mut progress = Progress::for_plan(&plan);
        assert_eq!(progress.total, 2);
        let rows: Vec<(&str, Option<&str>, bool)> =
            progress.machines.iter().map(|m| (m.machine.as_str(), m.region.as_deref(), m.started)).collect();
        assert_eq!(rows, [("m1", Some("syd"), false), ("m2", Some("fra"), false)]);
        progress.apply(&Event::PlanAccepted { app: "a".into(), operation: "restart".into(), actions: 2 }, 0);
        progress.apply(&started("m2", "restart"), 1);
        assert!(progress.machines[1].started && !progress.machines[0].started);
        assert_eq!(progress.machines.len(), 2);
    }

    #[test]
    fn a_release_command_and_a_clean_finish() {
        let mut progress = Progress::default();
        progress.apply(&Event::PlanAccepted { app: "a".into(), operation: "deploy".into(), actions: 1 }, 0);
        progress.apply(&Event::ReleaseCommand { machine: "r1".into(), exit_code: 0 }, 3);
        progress.apply(&Event::Done { operation: "deploy".into(), succeeded: 1 }, 4);
        assert_eq!(progress.state, RunState::Succeeded);
        assert_eq!(progress.release_command, Some(("r1".into(), 0)));
    }
}
