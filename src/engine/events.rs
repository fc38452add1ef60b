//! The engine's typed event stream, and the flyctl-style line each event prints as (for the CLI and the
//! dashboard's log view).

use serde::{Deserialize, Serialize};

/// How one action ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "outcome", content = "error", rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed(String),
    /// Stopped while it ran, or never started, because of another failure or a cancellation.
    Canceled,
}

/// What a lease did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum LeaseEvent {
    Acquired,
    Refreshed,
    Released,
    /// Someone else holds it now, or it expired: the machine may be changed by another deploy.
    Lost,
}

/// One thing that happened during a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    PlanAccepted {
        app: String,
        operation: String,
        actions: usize,
    },
    PhaseStarted {
        index: usize,
        title: String,
    },
    /// `machine` is the id (or, before a machine exists, the plan's key for it).
    ActionStarted {
        machine: String,
        group: String,
        verb: String,
        description: String,
    },
    ActionFinished {
        machine: String,
        group: String,
        verb: String,
        outcome: Outcome,
    },
    MachineCreated {
        key: String,
        machine: String,
        group: String,
        region: String,
    },
    MachineState {
        machine: String,
        group: String,
        state: String,
    },
    Checks {
        machine: String,
        group: String,
        passing: usize,
        total: usize,
    },
    Lease {
        machine: String,
        event: LeaseEvent,
    },
    ReleaseCommand {
        machine: String,
        exit_code: i64,
    },
    Warning {
        message: String,
    },
    /// A line of progress that is neither a step nor a warning: flyctl's `Running <app> release_command: <cmd>`.
    Info {
        message: String,
    },
    Done {
        operation: String,
        succeeded: usize,
    },
    Failed {
        error: String,
    },
}

impl Event {
    /// The line flyctl would print for this event, if any.
    pub fn line(&self) -> Option<String> {
        Some(match self {
            Event::PlanAccepted { app, operation, actions } => {
                format!("Running {operation} of app '{app}': {actions} step(s)")
            }
            Event::PhaseStarted { title, .. } => format!("> {title}"),
            Event::ActionStarted { machine, group, verb, description } => match verb.as_str() {
                "update" => format!("  Updating {machine} [{group}]"),
                // The run's `Info` says it as flyctl does (`Running <app> release_command: <cmd>`).
                "release_command" => return None,
                _ => format!("  {description}"),
            },
            Event::ActionFinished { machine, verb, outcome, .. } if verb == "create_app" => match outcome {
                Outcome::Succeeded => format!("✔ Created app '{machine}'"),
                Outcome::Failed(error) => format!("✖ Creating app '{machine}' failed: {error}"),
                Outcome::Canceled => format!("  Creating app '{machine}' canceled"),
            },
            // Its `ReleaseCommand` event has said so, with the machine.
            Event::ActionFinished { verb, outcome: Outcome::Succeeded, .. } if verb == "release_command" => {
                return None;
            }
            Event::ActionFinished { machine, group, verb, outcome } => {
                let what = if verb == "update" || verb == "create" { "update" } else { verb.as_str() };
                match outcome {
                    Outcome::Succeeded => format!("✔ Machine {machine} [{group}] {what} finished: success"),
                    Outcome::Failed(error) => format!("✖ Machine {machine} [{group}] {what} failed: {error}"),
                    Outcome::Canceled => format!("  Machine {machine} [{group}] {what} canceled"),
                }
            }
            Event::MachineCreated { machine, group, .. } => format!("  Machine {machine} [{group}] was created"),
            Event::MachineState { machine, group, state } => {
                format!("  Machine {machine} [{group}] has state: {state}")
            }
            Event::Checks { machine, group, passing, total } => {
                format!("  Waiting for {machine} [{group}] to become healthy: {passing}/{total}")
            }
            Event::Lease { machine, event: LeaseEvent::Lost } => format!("  WARN lease on machine {machine} was lost"),
            Event::Lease { .. } => return None,
            Event::ReleaseCommand { machine, exit_code: 0 } => {
                format!("✔ release_command {machine} completed successfully")
            }
            Event::ReleaseCommand { machine, exit_code } => {
                format!("✖ Error release_command failed running on machine {machine} with exit code {exit_code}.")
            }
            Event::Warning { message } => format!("  WARN {message}"),
            Event::Info { message } => format!("  {message}"),
            Event::Done { operation, succeeded } => format!("✔ Finished {operation}: {succeeded} step(s) succeeded"),
            Event::Failed { error } => format!("✖ {error}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(machine: &str, group: &str, verb: &str, outcome: Outcome) -> Event {
        Event::ActionFinished { machine: machine.into(), group: group.into(), verb: verb.into(), outcome }
    }

    #[test]
    fn app_creation_reads_as_the_app_not_as_a_machine() {
        assert_eq!(finished("shop", "", "create_app", Outcome::Succeeded).line().unwrap(), "✔ Created app 'shop'");
        assert_eq!(
            finished("shop", "", "create_app", Outcome::Failed("name taken".into())).line().unwrap(),
            "✖ Creating app 'shop' failed: name taken"
        );
    }

    #[test]
    fn the_release_command_is_announced_once_and_its_success_said_once() {
        let started = Event::ActionStarted {
            machine: "release_command".into(),
            group: "fly_app_release_command".into(),
            verb: "release_command".into(),
            description: "run release_command `bin/migrate` in a temporary machine in syd".into(),
        };
        assert_eq!(started.line(), None, "the run's Info line announces it");
        let info = Event::Info { message: "Running shop release_command: bin/migrate".into() };
        assert_eq!(info.line().unwrap(), "  Running shop release_command: bin/migrate");
        let id = "e784079b449483";
        assert_eq!(finished(id, "fly_app_release_command", "release_command", Outcome::Succeeded).line(), None);
        let failed = finished(id, "fly_app_release_command", "release_command", Outcome::Failed("timed out".into()));
        assert_eq!(
            failed.line().unwrap(),
            "✖ Machine e784079b449483 [fly_app_release_command] release_command failed: timed out"
        );
    }
}
