//! One machine in detail, from App → Machines (what `fly machine status` shows): its VM (image, private IP, group,
//! size, command, volume), its health checks with their output, and its event log with each exit's code — read
//! again every two seconds while the panel is open.

use std::time::Duration;

use flightdeck::api::{Machine, MachineEvent};
use leptos::prelude::*;

use flightdeck::config::join_command;

use crate::components::{ErrorNote, cpu_count};
use crate::state::{Session, live_machine};

/// How often the open panel reads the machine again.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// An event's time (milliseconds since the epoch) in UTC, as the API's other times read: "2026-11-27T13:32:51.331Z".
fn event_time(event: &MachineEvent) -> String {
    #[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit an f64 exactly until the year 287,396
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(event.timestamp as f64));
    if date.get_time().is_nan() { event.timestamp.to_string() } else { String::from(date.to_iso_string()) }
}

/// What an event adds to its state: an exit's code and whether the stop was asked for.
fn event_info(event: &MachineEvent) -> String {
    match event.exit_code() {
        Some(code) if event.requested_stop() => format!("exit code {code}, stop requested"),
        Some(code) => format!("exit code {code}"),
        None => String::new(),
    }
}

/// The VM block: label and value, in `fly machine status`'s order.
fn vm_fields(machine: &Machine) -> Vec<(&'static str, String)> {
    let config = machine.config.as_ref();
    let guest = config.and_then(|c| c.guest.as_ref());
    let image = match &machine.image_ref {
        Some(image) if !image.repository.is_empty() => format!("{}:{}", image.repository, image.tag),
        _ => config.map(|c| c.image.clone()).unwrap_or_default(),
    };
    let mut fields = vec![
        ("ID", machine.id.clone()),
        ("Instance ID", machine.instance_id.clone()),
        ("State", machine.state.as_str().to_owned()),
        ("Host status", machine.host_status.clone().unwrap_or_default()),
        ("Image", image),
        ("Name", machine.name.clone()),
        ("Private IP", machine.private_ip.clone()),
        ("Region", machine.region.clone()),
        ("Process group", machine.process_group().unwrap_or_default().to_owned()),
        (
            "Size",
            guest.map(|g| format!("{} {} · {} MB", cpu_count(g.cpus), g.cpu_kind, g.memory_mb)).unwrap_or_default(),
        ),
        ("Created", machine.created_at.clone().unwrap_or_default()),
        ("Updated", machine.updated_at.clone().unwrap_or_default()),
        ("Entrypoint", config.map(|c| join_command(&c.init.entrypoint)).unwrap_or_default()),
        ("Command", config.map(|c| join_command(&c.init.cmd)).unwrap_or_default()),
    ];
    if let Some(mount) = config.and_then(|c| c.mounts.first()) {
        fields.push(("Volume", format!("{} at {}", mount.volume, mount.path)));
    }
    fields
}

/// A table of text cells (one code path for the checks and the event log keeps the wasm small).
fn text_table(label: &'static str, head: &'static [&'static str], rows: Vec<[String; 5]>) -> AnyView {
    let head = head.iter().map(|h| view! { <th>{*h}</th> }).collect_view();
    let rows = rows
        .into_iter()
        .map(|cells| view! { <tr>{cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> })
        .collect_view();
    view! {
        <table class="grid detail-table">
            <caption>{label}</caption>
            <thead><tr>{head}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

fn details(machine: &Machine) -> AnyView {
    let fields = vm_fields(machine)
        .into_iter()
        .map(|(label, value)| {
            let value = if value.is_empty() { "—".to_owned() } else { value };
            view! { <dt>{label}</dt><dd>{value}</dd> }
        })
        .collect_view();
    let checks = (!machine.checks.is_empty()).then(|| {
        let rows = machine.checks.iter().map(|c| {
            let updated = c.updated_at.clone().unwrap_or_default();
            [c.name.clone(), c.status.clone(), updated, c.output.clone(), String::new()]
        });
        text_table("Health checks", &["Check", "Status", "Updated (UTC)", "Output", ""], rows.collect())
    });
    let events = machine
        .events
        .iter()
        .map(|e| [e.status.clone(), e.kind.clone(), e.source.clone(), event_time(e), event_info(e)]);
    let events = text_table("Event log", &["State", "Event", "Source", "Time (UTC)", "Info"], events.collect());
    view! {
        <dl class="vm">{fields}</dl>
        {checks}
        {events}
    }
    .into_any()
}

#[component]
pub fn MachineDetail(
    app: String,
    /// The machine's id.
    machine: String,
    /// Its name (or id), for the panel's title.
    label: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let current = live_machine(&session, &app, &machine, REFRESH_EVERY);
    let title = format!("Machine {label}");
    let heading = title.clone();
    view! {
        <section class="card editor-panel machine-detail" aria-label=title>
            <div class="section-head">
                <h2>{heading}</h2>
                <button type="button" class="small" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            {move || match current.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Ok(machine)) => details(&machine),
                Some(Err(error)) => view! { <ErrorNote message=error.to_string()/> }.into_any(),
            }}
        </section>
    }
}
