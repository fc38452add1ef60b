//! What App → Machines keeps out of the main module, in the deferred split module (`crate::split`): a machine's
//! details, its clone and resize editor, the by-group board, the plan preview and live run views, and the planning
//! of the tab's actions. Planning brings fly.toml's parser and the planners, and the views their own code, none of
//! which the table needs to show the machines. The tab fetches the module once its table has painted, so an action
//! finds it there.

use std::collections::{BTreeSet, HashMap};

use flightdeck::api::{FetchTransport, Machine, MachineFilter, MachinesClient};
use flightdeck::config::validate;
use flightdeck::engine::{AppSnapshot, Cancel, Progress};
use flightdeck::plan::{self, DeployOptions, MachineCommand, Plan, PlanError};
use leptos::prelude::*;

use super::group_board::GroupBoard;
use super::machine_detail::MachineDetail;
use super::machine_edit::{Edit, MachineEditor};
use super::machines::{Command, RowView};
use crate::components::{PlanPreview, RunView};
use crate::split::{LocalBoxFuture, Unloaded, wasm_split};
use crate::state::starting_draft;

/// One machine in detail (`MachineDetail`).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn detail_panel(app: String, machine: String, label: String, on_close: Callback<()>) -> Result<AnyView, Unloaded> {
    Ok(view! { <MachineDetail app machine label on_close/> }.into_any())
}

/// One machine's clone or resize (`MachineEditor`).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn editor_panel(
    app: String,
    machine: String,
    label: String,
    edit: Edit,
    groups: Signal<Vec<String>>,
    on_close: Callback<()>,
) -> Result<AnyView, Unloaded> {
    Ok(view! { <MachineEditor app machine label edit groups on_close/> }.into_any())
}

/// The machines by process group (`GroupBoard`).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn group_board(
    ids: RwSignal<Vec<String>>,
    rows: StoredValue<HashMap<String, ArcRwSignal<RowView>>>,
    groups: Signal<Vec<String>>,
    selected: RwSignal<BTreeSet<String>>,
    on_move: Callback<(Vec<String>, String)>,
) -> Result<AnyView, Unloaded> {
    Ok(view! { <GroupBoard ids rows groups selected on_move/> }.into_any())
}

/// A plan before it runs (`PlanPreview`).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn plan_preview(
    planned: Signal<Option<Result<Plan, String>>>,
    label: String,
    button: String,
    busy: Signal<bool>,
    on_run: Callback<Plan>,
) -> Result<AnyView, Unloaded> {
    Ok(view! { <PlanPreview planned label button busy on_run/> }.into_any())
}

/// A run's live view (`RunView`).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn run_view(progress: RwSignal<Progress>, label: String, cancel: Signal<Cancel>) -> Result<AnyView, Unloaded> {
    Ok(view! { <RunView progress label cancel/> }.into_any())
}

fn plan_for(app: &str, machines: &[Machine], id: &str, command: Command) -> Result<Plan, PlanError> {
    match command {
        Command::Start => plan::plan_start(app, machines, id),
        Command::Stop => plan::plan_stop(app, machines, id, None),
        Command::Restart => plan::plan_restart(app, machines, id),
        // The dashboard asked for confirmation already; a started machine is removed with force.
        Command::Remove => plan::plan_remove(app, machines, id, true),
    }
}

/// A row's command, planned from the machines as they are now.
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn plan_command(
    client: MachinesClient<FetchTransport>,
    app: String,
    id: String,
    command: Command,
) -> Result<LocalBoxFuture<Result<Plan, String>>, Unloaded> {
    Ok(Box::pin(async move {
        let current = client.list_machines(&app, &MachineFilter::default()).await.map_err(|e| e.to_string())?;
        plan_for(&app, &current, &id, command).map_err(|e| e.to_string())
    }))
}

/// The selected machines' command (flyctl's `machine stop ID ID…`), planned from the machines as they are now.
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn plan_selection(
    client: MachinesClient<FetchTransport>,
    app: String,
    ids: Vec<String>,
    command: MachineCommand,
) -> Result<LocalBoxFuture<Result<Plan, String>>, Unloaded> {
    Ok(Box::pin(async move {
        let current = client.list_machines(&app, &MachineFilter::default()).await.map_err(|e| e.to_string())?;
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        plan::plan_machines_command(&app, &current, &ids, &command).map_err(|e| e.to_string())
    }))
}

/// The selected machines' assignment to `group` of the app's fly.toml (`draft`, else the one its machines describe):
/// the metadata change, then the deploy that gives them the group's config.
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn plan_assignment(
    client: MachinesClient<FetchTransport>,
    app: String,
    draft: Option<String>,
    ids: Vec<String>,
    group: String,
) -> Result<LocalBoxFuture<Result<Plan, String>>, Unloaded> {
    Ok(Box::pin(async move {
        let snapshot = AppSnapshot::read(&client, &app).await.map_err(|e| e.to_string())?;
        let source = draft.unwrap_or_else(|| starting_draft(&app, &snapshot.machines));
        let parsed = validate(&source);
        if parsed.has_errors() {
            return Err("the app's fly.toml has errors: fix them in App → Config first".to_owned());
        }
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        plan::plan_assign_group(&snapshot.deploy_input(&app, &parsed.config), &ids, &group, &DeployOptions::default())
            .map_err(|e| e.to_string())
    }))
}

/// The process groups of a fly.toml draft (its names even when it has errors elsewhere).
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn draft_process_names(source: String) -> Result<Vec<String>, Unloaded> {
    Ok(validate(&source).config.process_names())
}
