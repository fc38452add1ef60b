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
                "release_command" => format!("  {description}"),
                _ => format!("  {description}"),
            },
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
            Event::Done { operation, succeeded } => format!("✔ Finished {operation}: {succeeded} step(s) succeeded"),
            Event::Failed { error } => format!("✖ {error}"),
        })
    }
}
