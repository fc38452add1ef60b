//! App → Machines: the app's machines, refreshed every two seconds, with start, stop, restart and remove — each
//! run through the core's planner and engine (leases, waits, checks), its progress shown as flyctl's lines.

use std::time::Duration;

use flightdeck::api::{Machine, MachineFilter, MachineState};
use flightdeck::engine::{self, Cancel, EngineOptions, Event};
use flightdeck::plan;
use leptos::prelude::*;

use crate::components::ErrorNote;
use crate::state::Session;

/// What a row's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Start,
    Stop,
    Restart,
    Remove,
}

impl Command {
    fn label(self) -> &'static str {
        match self {
            Command::Start => "Start",
            Command::Stop => "Stop",
            Command::Restart => "Restart",
            Command::Remove => "Remove",
        }
    }
}

fn plan_for(app: &str, machines: &[Machine], id: &str, command: Command) -> Result<plan::Plan, plan::PlanError> {
    match command {
        Command::Start => plan::plan_start(app, machines, id),
        Command::Stop => plan::plan_stop(app, machines, id, None),
        Command::Restart => plan::plan_restart(app, machines, id),
        // The dashboard asked for confirmation already; a started machine is removed with force.
        Command::Remove => plan::plan_remove(app, machines, id, true),
    }
}

/// A row is drawn again only when something it shows changes.
fn row_key(machine: &Machine) -> String {
    let passing = machine.checks.iter().filter(|c| c.status == "passing").count();
    format!(
        "{}|{}|{}|{}/{}|{}",
        machine.id,
        machine.current_version(),
        machine.state,
        passing,
        machine.checks.len(),
        machine.name
    )
}

fn checks(machine: &Machine) -> String {
    if machine.checks.is_empty() {
        return "—".to_owned();
    }
    let passing = machine.checks.iter().filter(|c| c.status == "passing").count();
    format!("{passing}/{} passing", machine.checks.len())
}

fn size(machine: &Machine) -> String {
    match machine.config.as_ref().and_then(|c| c.guest.as_ref()) {
        Some(guest) => format!("{} {} · {} MB", guest.cpus, guest.cpu_kind, guest.memory_mb),
        None => "—".to_owned(),
    }
}

#[component]
pub fn MachinesTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let (tick, set_tick) = signal(0u32);
    if let Ok(handle) = set_interval_with_handle(move || set_tick.update(|t| *t += 1), Duration::from_secs(2)) {
        on_cleanup(move || handle.clear());
    }
    let machines = {
        let (client, app) = (session.client.clone(), app.clone());
        LocalResource::new(move || {
            tick.track();
            let (client, app) = (client.clone(), app.clone());
            async move { client.list_machines(&app, &MachineFilter::default()).await }
        })
    };
    let (log, set_log) = signal(Vec::<String>::new());
    let (confirming, set_confirming) = signal(None::<String>);
    let command = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(id, command): &(String, Command)| {
            let (client, app, id, command) = (client.clone(), app.clone(), id.clone(), *command);
            async move {
                set_log.set(Vec::new());
                let current = client.list_machines(&app, &MachineFilter::default()).await.map_err(|e| e.to_string())?;
                let plan = plan_for(&app, &current, &id, command).map_err(|e| e.to_string())?;
                let sink = move |event: Event| {
                    if let Some(line) = event.line() {
                        set_log.update(|lines| lines.push(line));
                    }
                };
                let options = EngineOptions { smoke_window: Duration::from_secs(2), ..EngineOptions::default() };
                engine::run(&client, &plan, &options, &sink, &Cancel::default())
                    .await
                    .map_err(|f| f.error.to_string())?;
                set_tick.update(|t| *t += 1);
                Ok::<(), String>(())
            }
        })
    };

    let row = move |machine: Machine| {
        let id = machine.id.clone();
        let label = if machine.name.is_empty() { machine.id.clone() } else { machine.name.clone() };
        let state = machine.state.clone();
        let startable = matches!(
            state,
            MachineState::Stopped | MachineState::Suspended | MachineState::Created | MachineState::Failed
        );
        let started = state == MachineState::Started;
        let button = move |cmd: Command, enabled: bool| {
            let (id, label) = (id.clone(), label.clone());
            let aria = format!("{} machine {label}", cmd.label());
            let on_click = move |_| {
                if cmd == Command::Remove {
                    set_confirming.set(Some(id.clone()));
                } else {
                    command.dispatch((id.clone(), cmd));
                }
            };
            view! {
                <button type="button" class="small" aria-label=aria
                    disabled=move || !enabled || command.pending().get() on:click=on_click>{cmd.label()}</button>
            }
        };
        let group = plan::group_of(&machine).to_owned();
        let image = machine.config.as_ref().map(|c| c.image.clone()).unwrap_or_default();
        let confirm_id = machine.id.clone();
        let confirm_label =
            format!("Confirm removal of machine {}", if machine.name.is_empty() { &machine.id } else { &machine.name });
        let confirm = move || {
            (confirming.get().as_deref() == Some(confirm_id.as_str())).then(|| {
                let id = confirm_id.clone();
                view! {
                    <button type="button" class="small danger" aria-label=confirm_label.clone()
                        on:click=move |_| { set_confirming.set(None); command.dispatch((id.clone(), Command::Remove)); }>
                        "Confirm removal"
                    </button>
                }
            })
        };
        view! {
            <tr>
                <td class="mono">{machine.id.clone()}</td>
                <td class="name" title=machine.name.clone()>{machine.name.clone()}</td>
                <td><span class=format!("state state-{}", state.as_str())>{state.as_str().to_owned()}</span></td>
                <td>{machine.region.clone()}</td>
                <td>{group}</td>
                <td class="mono" title=image.clone()>{image.clone()}</td>
                <td class="nowrap">{size(&machine)}</td>
                <td>{checks(&machine)}</td>
                <td class="actions"><div>
                    {button(Command::Start, startable)}
                    {button(Command::Stop, started)}
                    {button(Command::Restart, started)}
                    {button(Command::Remove, true)}
                    {confirm}
                </div></td>
            </tr>
        }
    };

    // The rows live in a signal the table keeps: a refresh re-renders only the rows whose machine changed.
    let (list, set_list) = signal(Vec::<Machine>::new());
    let (loaded, set_loaded) = signal(false);
    let (load_error, set_load_error) = signal(None::<String>);
    Effect::new(move |_| {
        if let Some(result) = machines.get() {
            match result {
                Ok(machines) => {
                    set_list.set(machines);
                    set_load_error.set(None);
                }
                Err(error) => set_load_error.set(Some(error.to_string())),
            }
            set_loaded.set(true);
        }
    });
    let empty = move || list.with(Vec::is_empty);

    view! {
        <section aria-label="Machines">
            {move || (!loaded.get()).then(|| view! { <p class="muted">"Loading machines…"</p> })}
            {move || load_error.get().map(|e| view! { <ErrorNote message=e/> })}
            {move || (loaded.get() && empty()).then(|| view! { <p class="muted">"This app has no machines yet."</p> })}
            <div class="table-wrap" class:hidden=empty>
                <table class="grid" aria-label="Machines of the app">
                    <colgroup>
                        <col class="c-id"/><col class="c-name"/><col class="c-state"/><col class="c-region"/>
                        <col class="c-group"/><col class="c-image"/><col class="c-size"/><col class="c-checks"/>
                        <col class="c-actions"/>
                    </colgroup>
                    <thead><tr>
                        <th>"ID"</th><th>"Name"</th><th>"State"</th><th>"Region"</th><th>"Group"</th>
                        <th>"Image"</th><th>"Size"</th><th>"Checks"</th><th>"Actions"</th>
                    </tr></thead>
                    <tbody><For each=move || list.get() key=row_key children=row/></tbody>
                </table>
            </div>
            {move || command.value().get().and_then(Result::err).map(|e| view! { <ErrorNote message=e/> })}
            <pre class="log" aria-label="Progress" aria-live="polite">{move || log.get().join("\n")}</pre>
        </section>
    }
}
