//! App → Machines: the app's machines, live (states every two seconds from the summary list, the full list after
//! every fifth summary and whenever a machine comes, goes or gets a new version), with start, stop, restart and remove — each
//! run through the core's planner and engine (leases, waits, checks), its progress shown as flyctl's lines — and
//! assignment of selected machines to a process group of the app's fly.toml, planned (the metadata change, then
//! the deploy that gives them the group's config) and run in the live view. Selected machines can also be stopped,
//! started, restarted or removed together (one plan, shown first, run one machine after another). The same machines show by process
//! group too (`group_board`), where dragging them to another group's column plans their assignment. The table can be
//! filtered by words found in a row's id, name, state, region, process group or image, live as states change.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use flightdeck::api::{ApiError, Machine, MachineState};
use flightdeck::engine::{Cancel, Progress, RunState};
use flightdeck::plan::{self, MachineCommand, Plan};
use leptos::prelude::*;

use super::machine_edit::Edit;
use super::machine_tools as tools;
use crate::components::{ErrorNote, after_next_paint, plan_runner};
use crate::split::{loaded_quietly, once_needed};
use crate::state::{Drafts, LiveFleet, Session, live_fleet};

/// The height of a machine row, as the CSS fixes it (`table.machines tbody tr`).
const ROW_PX: f64 = 44.0;
/// Rows drawn beyond each edge of the scroll view, so a scroll shows drawn rows at once.
const MARGIN_ROWS: usize = 10;
/// The scroll view's share of the window's height (CSS: `max-height: 70vh`), its height until it reports its own.
const VIEW_SHARE: f64 = 0.7;
/// The window's height when the browser does not say.
const FALLBACK_WINDOW_PX: f64 = 1000.0;
/// How often the summary list (state, name, region, update time of every machine) is read.
const SUMMARY_EVERY: Duration = Duration::from_secs(2);
/// How many summaries are read between two full lists (configs and health checks too) when they show nothing new:
/// configs and checks are about ten seconds old at most.
const SUMMARIES_PER_FULL_LIST: u32 = 5;

/// What a row's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Command {
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

/// What a machine's row shows, taken from the listed machine. The table keeps this, not the machine: the first
/// render of 1,000 machines copies a few strings each instead of 1,000 machine configs, and a refresh compares what
/// is shown, field by field, without allocating (`shows`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RowView {
    name: String,
    pub(super) state: MachineState,
    pub(super) region: String,
    pub(super) group: String,
    image: String,
    /// cpus, cpu kind, memory (MB).
    guest: Option<(u32, String, u32)>,
    /// Passing checks, all checks.
    checks: (usize, usize),
    /// `updated_at` as the API gives it (RFC 3339, UTC).
    updated: String,
    /// The machine's version: a summary with another one means the config changed (full list needed).
    version: String,
}

/// Whether `haystack` holds `lower_word` (lower case) with ASCII letters in either case: what
/// `haystack.to_ascii_lowercase().contains(lower_word)` says, without a lower-cased copy of every field of every row
/// on each keystroke and, while filtering, on each state change.
fn contains_ignoring_ascii_case(haystack: &str, lower_word: &str) -> bool {
    let (haystack, word) = (haystack.as_bytes(), lower_word.as_bytes());
    word.is_empty() || haystack.windows(word.len()).any(|window| window.eq_ignore_ascii_case(word))
}

fn passing_checks(machine: &Machine) -> (usize, usize) {
    (machine.checks.iter().filter(|c| c.status == "passing").count(), machine.checks.len())
}

/// An RFC 3339 UTC time as a table shows it: "Nov 27 05:40:12" (the full time is the cell's title). Anything else is
/// shown as it came.
fn short_time(time: &str) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parts = (time.get(5..7), time.get(8..10), time.get(10..11), time.get(11..19));
    let (Some(month), Some(day), Some("T" | "t" | " "), Some(clock)) = parts else {
        return time.to_owned();
    };
    match (month.parse::<usize>(), day.parse::<u8>()) {
        (Ok(month @ 1..=12), Ok(day)) => format!("{} {day} {clock}", MONTHS[month - 1]),
        _ => time.to_owned(),
    }
}

impl RowView {
    fn of(machine: &Machine) -> Self {
        let config = machine.config.as_ref();
        RowView {
            name: machine.name.clone(),
            state: machine.state.clone(),
            region: machine.region.clone(),
            group: plan::group_of(machine).to_owned(),
            image: config.map(|c| c.image.clone()).unwrap_or_default(),
            guest: config.and_then(|c| c.guest.as_ref()).map(|g| (g.cpus, g.cpu_kind.clone(), g.memory_mb)),
            checks: passing_checks(machine),
            updated: machine.updated_at.clone().unwrap_or_default(),
            version: machine.current_version().to_owned(),
        }
    }

    /// Whether the row shows what a summary (no config, no checks) says of the machine.
    fn shows_summary(&self, summary: &Machine) -> bool {
        self.state == summary.state
            && self.name == summary.name
            && self.region == summary.region
            && self.updated == summary.updated_at.as_deref().unwrap_or_default()
    }

    /// Takes what a summary says; the rest (group, image, size, checks) waits for the full list.
    fn take_summary(&mut self, summary: &Machine) {
        self.state = summary.state.clone();
        self.name.clone_from(&summary.name);
        self.region.clone_from(&summary.region);
        self.updated = summary.updated_at.clone().unwrap_or_default();
    }

    /// Whether the row still shows `machine` as it is listed now (a refresh checks 1,000 machines every two
    /// seconds).
    fn shows(&self, machine: &Machine) -> bool {
        let config = machine.config.as_ref();
        let guest = config.and_then(|c| c.guest.as_ref());
        self.shows_summary(machine)
            && self.group == plan::group_of(machine)
            && self.image == config.map_or("", |c| c.image.as_str())
            && match (&self.guest, guest) {
                (Some((cpus, kind, memory)), Some(g)) => {
                    *cpus == g.cpus && *kind == g.cpu_kind && *memory == g.memory_mb
                }
                (None, None) => true,
                _ => false,
            }
            && self.checks == passing_checks(machine)
            && self.version == machine.current_version()
    }

    /// Whether every word of a filter (lower case) is in what the row shows of machine `id`: its id, name, state,
    /// region, process group or image.
    fn matches(&self, id: &str, words: &[String]) -> bool {
        let fields = [id, &self.name, self.state.as_str(), &self.region, &self.group, &self.image];
        words.iter().all(|word| fields.iter().any(|field| contains_ignoring_ascii_case(field, word)))
    }

    pub(super) fn label(&self, id: &str) -> String {
        if self.name.is_empty() { id.to_owned() } else { self.name.clone() }
    }

    fn size(&self) -> String {
        match &self.guest {
            Some((cpus, kind, memory)) => format!("{cpus} {kind} · {memory} MB"),
            None => "—".to_owned(),
        }
    }

    fn updated(&self) -> String {
        short_time(&self.updated)
    }

    fn checks(&self) -> String {
        match self.checks {
            (_, 0) => "—".to_owned(),
            (passing, all) => format!("{passing}/{all} passing"),
        }
    }
}

#[component]
pub fn MachinesTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    // The ids of the listed machines, in order: the keyed list of rows moves only when machines come or go.
    let ids = RwSignal::new(Vec::<String>::new());
    // Rows drawn beyond the view's edges: none in the frame that paints the first rows (the list's arrival lays out
    // a screenful, not a screenful and a margin), `MARGIN_ROWS` from the frame after it.
    let margin = RwSignal::new(0_usize);
    // Each row reads what it shows from a signal of its own: a refresh sets only the signals of rows whose machine
    // changed (`RowView::shows`), so a state change redraws a few cells, and the keyed list itself moves only when
    // machines come or go. The listed machines are read in place, never copied.
    let rows = StoredValue::new(HashMap::<String, ArcRwSignal<RowView>>::new());
    let (load_error, set_load_error) = signal(None::<String>);
    // Each full list updates the rows that changed. Between full lists, the summaries keep states live: a summary
    // at its row's version changes the row in place; one that shows a machine new, gone or at another version asks
    // for the full list (`live_fleet` reads it after `SUMMARIES_PER_FULL_LIST` summaries anyway).
    let apply_full = move |listed: &Result<Vec<Machine>, ApiError>| match listed {
        Ok(machines) => {
            rows.update_value(|rows| {
                for machine in machines {
                    match rows.get(&machine.id) {
                        Some(shown) => {
                            if !shown.with_untracked(|shown| shown.shows(machine)) {
                                shown.set(RowView::of(machine));
                            }
                        }
                        None => {
                            rows.insert(machine.id.clone(), ArcRwSignal::new(RowView::of(machine)));
                        }
                    }
                }
                if rows.len() != machines.len() {
                    let listed: HashSet<&str> = machines.iter().map(|m| m.id.as_str()).collect();
                    rows.retain(|id, _| listed.contains(id.as_str()));
                }
            });
            let same_ids = ids.with_untracked(|ids| ids.iter().eq(machines.iter().map(|m| &m.id)));
            if !same_ids {
                if ids.with_untracked(Vec::is_empty) {
                    after_next_paint(move || {
                        let _ = margin.try_set(MARGIN_ROWS);
                    });
                }
                ids.set(machines.iter().map(|m| m.id.clone()).collect());
            }
            if load_error.with_untracked(Option::is_some) {
                set_load_error.set(None);
            }
        }
        Err(error) => set_load_error.set(Some(error.to_string())),
    };
    let apply_summaries = move |summaries: &[Machine]| {
        rows.with_value(|rows| {
            if summaries.len() != rows.len() {
                return true;
            }
            for summary in summaries {
                let Some(row) = rows.get(&summary.id) else { return true };
                if row.with_untracked(|row| row.version != summary.current_version()) {
                    return true;
                }
                if !row.with_untracked(|row| row.shows_summary(summary)) {
                    row.update(|row| row.take_summary(summary));
                }
            }
            false
        })
    };
    let LiveFleet { machines, relist: set_tick, loaded } =
        live_fleet(&session, &app, SUMMARY_EVERY, SUMMARIES_PER_FULL_LIST, apply_full, apply_summaries);
    // What the tab's actions and the other screens need, fetched once the first list is shown (rows or "no machines
    // yet"), so they find it there.
    Effect::new(move |preloading: Option<bool>| {
        let asked = preloading.unwrap_or(false);
        if !asked && loaded.get() {
            after_next_paint(crate::split::preload_deferred_when_idle);
            return true;
        }
        asked
    });
    let (confirming, set_confirming) = signal(None::<String>);
    // A row's button: the plan is made from the machines as they are now, then run in the live view below.
    let command_progress = RwSignal::new(Progress::default());
    let (run_command, command_cancel) =
        plan_runner(session.client.clone(), command_progress, move || set_tick.update(|t| *t += 1));
    let command = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(id, command): &(String, Command)| {
            let (client, app, id, command) = (client.clone(), app.clone(), id.clone(), *command);
            async move {
                let plan = tools::plan_command(client, app, id, command).await?.await?;
                run_command.dispatch(plan);
                Ok::<(), String>(())
            }
        })
    };

    // Assignment to a process group: the selected machines, the group, the plan, and its run.
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let drafts = expect_context::<Drafts>();
    let (target_group, set_target_group) = signal(String::new());
    let assignment = RwSignal::new(None::<Result<Plan, String>>);
    let assign_progress = RwSignal::new(Progress::default());
    let plan_assignment = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(ids, group): &(Vec<String>, String)| {
            let (client, app, ids, group) = (client.clone(), app.clone(), ids.clone(), group.clone());
            let draft = drafts.0.with_untracked(|d| d.get(&app).cloned());
            async move { tools::plan_assignment(client, app, draft, ids, group).await?.await }
        })
    };
    Effect::new(move |_| {
        if let Some(result) = plan_assignment.value().get() {
            assignment.set(Some(result));
        }
    });
    let (apply_assignment, assign_cancel) = plan_runner(session.client.clone(), assign_progress, move || {
        assignment.set(None);
        selected.set(BTreeSet::new());
        set_tick.update(|t| *t += 1);
    });
    // Stop, start, restart or remove the selected machines: planned from the machines as they are now, shown,
    // then run one machine after another (flyctl's `machine stop ID ID…`).
    let selection_plan = RwSignal::new(None::<Result<Plan, String>>);
    let selection_progress = RwSignal::new(Progress::default());
    let plan_selection = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(ids, command): &(Vec<String>, MachineCommand)| {
            let (client, app, ids, command) = (client.clone(), app.clone(), ids.clone(), command.clone());
            async move {
                let plan = match tools::plan_selection(client, app, ids, command).await {
                    Ok(planning) => planning.await,
                    Err(unloaded) => Err(unloaded.to_string()),
                };
                selection_plan.set(Some(plan));
            }
        })
    };
    let (apply_selection, selection_cancel) = plan_runner(session.client.clone(), selection_progress, move || {
        selection_plan.set(None);
        selected.set(BTreeSet::new());
        set_tick.update(|t| *t += 1);
    });
    // fly.toml's process groups: those of the app's draft (App → Config), read by the parser in `machine_tools`
    // when there is one, else those its machines describe (what the starting draft, `state::starting_draft`, holds).
    let draft = {
        let app = app.clone();
        Memo::new(move |_| drafts.0.with(|d| d.get(&app).cloned()))
    };
    let draft_groups = LocalResource::new(move || {
        let draft = draft.get();
        async move {
            match draft {
                Some(source) => tools::draft_process_names(source).await.ok(),
                None => None,
            }
        }
    });
    let groups: Signal<Vec<String>> = {
        let app = app.clone();
        Memo::new(move |_| {
            if let Some(Some(groups)) = draft_groups.get() {
                return groups;
            }
            machines.with(|listed| match listed {
                Some(Ok(machines)) => plan::config_from_machines(&app, machines).process_names(),
                _ => plan::config_from_machines(&app, &[]).process_names(),
            })
        })
        .into()
    };
    // The machine shown in detail, if any: `(id, label)`.
    let inspecting = RwSignal::new(None::<(String, String)>);
    let detail = {
        let app = app.clone();
        move || {
            inspecting.get().map(|(machine, label)| {
                loaded_quietly(tools::detail_panel(
                    app.clone(),
                    machine,
                    label,
                    Callback::new(move |()| inspecting.set(None)),
                ))
            })
        }
    };
    // The machine being cloned or resized, if any: `(id, label, what)`.
    let editing = RwSignal::new(None::<(String, String, Edit)>);
    let editor = {
        let app = app.clone();
        move || {
            editing.get().map(|(machine, label, edit)| {
                let on_close = Callback::new(move |()| {
                    editing.set(None);
                    set_tick.update(|t| *t += 1);
                });
                loaded_quietly(tools::editor_panel(app.clone(), machine, label, edit, groups, on_close))
            })
        }
    };
    // The table's filter: the rows that show every word typed, `None` when nothing is typed (the table then reads
    // the listed ids as they are, and a state change re-filters nothing). While filtering, each row's signal is
    // read, so a row that changes state joins or leaves the filtered rows.
    let (filter, set_filter) = signal(String::new());
    let filtered = Memo::new(move |_| {
        let words: Vec<String> = filter.with(|f| f.split_whitespace().map(str::to_ascii_lowercase).collect());
        if words.is_empty() {
            return None;
        }
        Some(ids.with(|ids| {
            rows.with_value(|rows| {
                ids.iter()
                    .filter(|id| rows.get(*id).is_some_and(|row| row.with(|row| row.matches(id, &words))))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }))
    });
    let assign_bar = move || {
        let count = selected.with(BTreeSet::len);
        (count > 0).then(|| {
            let options = groups
                .get()
                .into_iter()
                .map(|g| view! { <option value=g.clone()>{g.clone()}</option> })
                .collect_view();
            view! {
                <div class="selection" role="toolbar" aria-label="Selected machines">
                    <span>{move || {
                        // Selected machines the filter hides are still part of what the bar does: say so.
                        let hidden = filtered.with(|filtered| {
                            filtered.as_ref().map_or(0, |shown| {
                                let shown: HashSet<&String> = shown.iter().collect();
                                selected.with(|selected| selected.iter().filter(|id| !shown.contains(id)).count())
                            })
                        });
                        match hidden {
                            0 => format!("{count} selected"),
                            hidden => format!("{count} selected, {hidden} hidden by the filter"),
                        }
                    }}</span>
                    <label for="assign-group">"Assign to group"</label>
                    <select id="assign-group" on:change=move |ev| set_target_group.set(event_target_value(&ev))>
                        <option value="" selected>"Choose…"</option>
                        {options}
                    </select>
                    <button type="button" disabled=move || target_group.with(String::is_empty) || plan_assignment.pending().get()
                        on:click=move |_| {
                            let ids: Vec<String> = selected.get_untracked().into_iter().collect();
                            plan_assignment.dispatch((ids, target_group.get_untracked()));
                        }>"Plan assignment"</button>
                    {[
                        ("Stop", MachineCommand::Stop { signal: None }),
                        ("Start", MachineCommand::Start),
                        ("Restart", MachineCommand::Restart),
                        ("Remove", MachineCommand::Remove { force: true }),
                    ]
                    .into_iter()
                    .map(|(label, command)| view! {
                        <button type="button" class="small" aria-label=format!("{label} the selected machines")
                            disabled=move || plan_selection.pending().get()
                            on:click=move |_| {
                                let ids: Vec<String> = selected.get_untracked().into_iter().collect();
                                plan_selection.dispatch((ids, command.clone()));
                            }>{label}</button>
                    })
                    .collect_view()}
                    <button type="button" class="small" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
                </div>
            }
        })
    };

    // One row's actions sit behind its "Actions" button (a disclosure): a closed row has two controls, not seven,
    // and its machine's state changes write nothing but its cells. The open row's id, if any.
    let open_actions = RwSignal::new(None::<String>);
    let close_actions = move || {
        open_actions.set(None);
        set_confirming.set(None);
    };
    let actions = move |id: String, label: String, machine: ArcRwSignal<RowView>| {
        let state = move || machine.with(|m| m.state.clone());
        let startable = {
            let state = state.clone();
            move || {
                matches!(
                    state(),
                    MachineState::Stopped | MachineState::Suspended | MachineState::Created | MachineState::Failed
                )
            }
        };
        let started = {
            let state = state.clone();
            move || state() == MachineState::Started
        };
        let button = |cmd: Command, enabled: Box<dyn Fn() -> bool + Send + Sync>| {
            let (id, label) = (id.clone(), label.clone());
            let aria = format!("{} machine {label}", cmd.label());
            let on_click = move |_| {
                if cmd == Command::Remove {
                    set_confirming.set(Some(id.clone()));
                } else {
                    close_actions();
                    command.dispatch((id.clone(), cmd));
                }
            };
            view! {
                <button type="button" class="small" aria-label=aria
                    disabled=move || !enabled() || command.pending().get() || run_command.pending().get() on:click=on_click>{cmd.label()}</button>
            }
        };
        let edit_button = |edit: Edit| {
            let (id, label) = (id.clone(), label.clone());
            let text = if edit == Edit::Clone { "Clone" } else { "Resize" };
            view! {
                <button type="button" class="small" aria-label=format!("{text} machine {label}")
                    on:click=move |_| { close_actions(); editing.set(Some((id.clone(), label.clone(), edit))); }>{text}</button>
            }
        };
        let confirm = {
            let (id, confirm_label) = (id.clone(), format!("Confirm removal of machine {label}"));
            move || {
                (confirming.get().as_deref() == Some(id.as_str())).then(|| {
                    let id = id.clone();
                    view! {
                        <button type="button" class="small danger" aria-label=confirm_label.clone()
                            on:click=move |_| { close_actions(); command.dispatch((id.clone(), Command::Remove)); }>
                            "Confirm removal"
                        </button>
                    }
                })
            }
        };
        let details = {
            let (id, label) = (id.clone(), label.clone());
            view! {
                <button type="button" class="small" aria-label=format!("Details of machine {label}")
                    on:click=move |_| { close_actions(); inspecting.set(Some((id.clone(), label.clone()))); }>"Details"</button>
            }
        };
        view! {
            <div class="row-actions" role="group" aria-label=format!("Actions for machine {label}")>
                {details}
                {button(Command::Start, Box::new(startable))}
                {button(Command::Stop, Box::new(started.clone()))}
                {button(Command::Restart, Box::new(started))}
                {edit_button(Edit::Clone)}
                {edit_button(Edit::Resize)}
                {button(Command::Remove, Box::new(|| true))}
                {confirm}
            </div>
        }
    };
    let row = move |id: String| {
        let Some(machine) = rows.with_value(|rows| rows.get(&id).cloned()) else {
            return ().into_any();
        };
        let label = machine.with_untracked(|m| m.label(&id));
        let is_open = {
            let id = id.clone();
            move || open_actions.with(|open| open.as_deref() == Some(id.as_str()))
        };
        let toggle = {
            let id = id.clone();
            move |_| {
                if open_actions.with_untracked(|open| open.as_deref() == Some(id.as_str())) {
                    close_actions();
                } else {
                    set_confirming.set(None);
                    open_actions.set(Some(id.clone()));
                }
            }
        };
        let opened = {
            let (is_open, id, label, machine) = (is_open.clone(), id.clone(), label.clone(), machine.clone());
            move || is_open().then(|| actions(id.clone(), label.clone(), machine.clone()))
        };
        let (select_id, check_id) = (id.clone(), id.clone());
        let cell = |f: fn(&RowView) -> String| {
            let machine = machine.clone();
            move || machine.with(f)
        };
        let toggle_button = NodeRef::<leptos::html::Button>::new();
        view! {
            <tr>
                <td class="select"><input type="checkbox" aria-label=format!("Select machine {label}")
                    prop:checked=move || selected.with(|s| s.contains(&check_id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| { if on { s.insert(select_id.clone()); } else { s.remove(&select_id); } });
                    }/></td>
                <td class="mono">{id.clone()}</td>
                <td class="name" title=cell(|m| m.name.clone())>{cell(|m| m.name.clone())}</td>
                <td><div class="live"><span class=cell(|m| format!("state state-{}", m.state.as_str()))>{cell(|m| m.state.as_str().to_owned())}</span></div></td>
                <td>{cell(|m| m.region.clone())}</td>
                <td>{cell(|m| m.group.clone())}</td>
                <td class="mono" title=cell(|m| m.image.clone())>{cell(|m| m.image.clone())}</td>
                <td class="nowrap">{cell(RowView::size)}</td>
                <td><div class="live">{cell(RowView::checks)}</div></td>
                <td class="nowrap" title=cell(|m| m.updated.clone())><div class="live">{cell(RowView::updated)}</div></td>
                <td class="actions" on:keydown=move |ev| {
                    if ev.key() == "Escape" && open_actions.with_untracked(Option::is_some) {
                        close_actions();
                        if let Some(button) = toggle_button.get_untracked() {
                            let _ = button.focus();
                        }
                    }
                }>
                    <button type="button" class="small" node_ref=toggle_button aria-label=format!("Actions for machine {label}")
                        aria-expanded=move || is_open().to_string() on:click=toggle>"Actions ▾"</button>
                    {opened}
                </td>
            </tr>
        }
        .into_any()
    };

    let empty = move || ids.with(Vec::is_empty);
    // The machines as a table, or as columns by process group (where a drag assigns them).
    let by_group = RwSignal::new(false);
    let board = move || {
        by_group.get().then(|| {
            let on_move = Callback::new(move |(ids, group): (Vec<String>, String)| {
                plan_assignment.dispatch((ids, group));
            });
            loaded_quietly(tools::group_board(ids, rows, groups, selected, on_move))
        })
    };

    // The rows the table shows: all the listed ones, or the filtered ones.
    let with_shown = move |read: &mut dyn FnMut(&[String])| {
        filtered.with(|filtered| match filtered {
            Some(filtered) => read(filtered),
            None => ids.with(|ids| read(ids)),
        });
    };
    let scroller = NodeRef::<leptos::html::Div>::new();

    // Rows have a fixed height (CSS), so the table draws only the rows in its scroll view and a margin, with a
    // spacer above and below for the rest: a thousand machines cost the page what a screenful does.
    let (scroll_top, set_scroll_top) = signal(0.0_f64);
    let window_px =
        web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(FALLBACK_WINDOW_PX);
    let (view_height, set_view_height) = signal(window_px * VIEW_SHARE);
    // The rows in view and a margin on each side of them (none above the first row).
    let window = Memo::new(move |_| {
        let mut total = 0;
        with_shown(&mut |shown| total = shown.len());
        let margin = margin.get();
        let first_in_view = (scroll_top.get() / ROW_PX) as usize;
        let in_view = (view_height.get() / ROW_PX).ceil() as usize;
        let first = first_in_view.saturating_sub(margin).min(total);
        let end = (first_in_view + in_view + margin).min(total);
        (first, end, total)
    });
    let visible = move || {
        let (first, end, _) = window.get();
        let mut visible = Vec::new();
        with_shown(&mut |shown| visible = shown.get(first..end).map(<[String]>::to_vec).unwrap_or_default());
        visible
    };
    let count = move || {
        let listed = ids.with(Vec::len);
        filtered.with(|filtered| match filtered {
            Some(filtered) => format!("{} of {listed} machines", filtered.len()),
            None => format!("{listed} machines"),
        })
    };
    let nothing_matches = move || !by_group.get() && filtered.with(|f| f.as_ref().is_some_and(Vec::is_empty));
    let on_filter = move |ev| {
        set_filter.set(event_target_value(&ev));
        // A shorter list starts at its top.
        if let Some(scroller) = scroller.get_untracked() {
            scroller.set_scroll_top(0);
        }
        set_scroll_top.set(0.0);
    };
    let spacer_above = move || format!("{}px", window.get().0 as f64 * ROW_PX);
    let spacer_below = move || {
        let (_, end, total) = window.get();
        format!("{}px", (total - end) as f64 * ROW_PX)
    };

    view! {
        <section aria-label="Machines">
            {move || (!loaded.get()).then(|| view! { <p class="muted">"Loading machines…"</p> })}
            {move || load_error.get().map(|e| view! { <ErrorNote message=e/> })}
            {move || (loaded.get() && empty()).then(|| view! { <p class="muted">"This app has no machines yet."</p> })}
            {detail}
            {editor}
            {assign_bar}
            {plan_preview(assignment, "Assignment plan", "Apply assignment", apply_assignment)}
            {run_view(assign_progress, "Assignment", assign_cancel)}
            {plan_preview(selection_plan, "Selection plan", "Apply to the selection", apply_selection)}
            {run_view(selection_progress, "Selection", selection_cancel)}
            <div class="list-head" class:hidden=empty>
                <p class="muted count" aria-live="polite">{count}</p>
                <input type="search" class="filter" class:hidden=move || by_group.get() aria-label="Filter machines"
                    placeholder="Filter: id, name, state, region, group, image" prop:value=filter on:input=on_filter/>
                <div class="view-switch" role="group" aria-label="Show machines">
                    <button type="button" class="small" aria-pressed=move || (!by_group.get()).to_string()
                        on:click=move |_| by_group.set(false)>"As a table"</button>
                    <button type="button" class="small" aria-pressed=move || by_group.get().to_string()
                        on:click=move |_| by_group.set(true)>"By process group"</button>
                </div>
            </div>
            {board}
            {move || nothing_matches().then(|| view! {
                <p class="muted">{move || format!("No machine matches “{}”.", filter.get().trim())}</p>
            })}
            <div class="table-wrap scroller" node_ref=scroller class:hidden=move || empty() || by_group.get() on:scroll=move |ev| {
                let scroller = event_target::<web_sys::Element>(&ev);
                set_scroll_top.set(f64::from(scroller.scroll_top()));
                set_view_height.set(f64::from(scroller.client_height()));
            }>
                <table class="grid machines" aria-label="Machines of the app" aria-rowcount=move || (window.get().2 + 1).to_string()>
                    <colgroup>
                        <col class="c-select"/><col class="c-id"/><col class="c-name"/><col class="c-state"/><col class="c-region"/>
                        <col class="c-group"/><col class="c-image"/><col class="c-size"/><col class="c-checks"/><col class="c-updated"/>
                        <col class="c-actions"/>
                    </colgroup>
                    <thead><tr>
                        <th><span class="visually-hidden">"Select"</span></th><th>"ID"</th><th>"Name"</th><th>"State"</th><th>"Region"</th><th>"Group"</th>
                        <th>"Image"</th><th>"Size"</th><th>"Checks"</th><th>"Updated (UTC)"</th><th>"Actions"</th>
                    </tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=spacer_above></tr>
                        <For each=visible key=String::clone children=row/>
                        <tr class="spacer" aria-hidden="true" style:height=spacer_below></tr>
                    </tbody>
                </table>
            </div>
            {move || command.value().get().and_then(Result::err).map(|e| view! { <ErrorNote message=e/> })}
            {run_view(command_progress, "Machine action", command_cancel)}
        </section>
    }
}

/// A plan's preview (`machine_tools`), from the first plan asked for.
fn plan_preview(
    planned: RwSignal<Option<Result<Plan, String>>>,
    label: &'static str,
    button: &'static str,
    runner: Action<Plan, Result<(), String>>,
) -> impl IntoView {
    let on_run = Callback::new(move |plan: Plan| {
        runner.dispatch(plan);
    });
    let part = move || {
        let (busy, label, button) = (runner.pending().into(), label.to_owned(), button.to_owned());
        loaded_quietly(tools::plan_preview(planned.into(), label, button, busy, on_run))
    };
    once_needed(move || planned.with(Option::is_some), part)
}

/// A run's live view (`machine_tools`), from the first run.
fn run_view(progress: RwSignal<Progress>, label: &'static str, cancel: Signal<Cancel>) -> impl IntoView {
    let part = move || loaded_quietly(tools::run_view(progress, label.to_owned(), cancel));
    once_needed(move || progress.with(|p| p.state != RunState::Waiting || p.total > 0), part)
}
