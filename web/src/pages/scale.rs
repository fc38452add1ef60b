//! App → Scale: the app's process groups × regions, each cell holding the number of machines it should have (the
//! seed's "4 in iad, 2 in fra, 1 in syd, 1 in gru"), cells that differ from what runs highlighted; a VM size per
//! group. Plan shows which machines are cloned or removed and why; Apply runs the plan through the engine in the
//! live view. Counts and sizes go through the core's planners, as the CLI's `scale` does.

use flightdeck::api::{Machine, Volume};
use flightdeck::config::{AppConfig, DEFAULT_GROUP, RESERVED_GROUPS};
use flightdeck::engine::{AppSnapshot, Progress};
use flightdeck::plan::{self, DesiredCounts, MAX_MACHINES_PER_GROUP, Plan, ScaleCountOptions, ScaleVmOptions};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use crate::components::{ErrorNote, PlanPreview, RunView, plan_runner, region_options, size_options};
use crate::state::Session;

/// Machines of one group in one region: `(running, other)`, where other is stopped, suspended or created.
type Cells = BTreeMap<String, BTreeMap<String, (usize, usize)>>;

/// What runs now, per managed group and region.
fn live_cells(machines: &[Machine]) -> Cells {
    let mut cells = Cells::new();
    for machine in machines.iter().filter(|m| plan::is_managed(m) && !m.state.is_gone()) {
        let group = plan::group_of(machine);
        if RESERVED_GROUPS.contains(&group) {
            continue;
        }
        let cell = cells.entry(group.to_owned()).or_default().entry(machine.region.clone()).or_default();
        if machine.state == flightdeck::api::MachineState::Started {
            cell.0 += 1;
        } else {
            cell.1 += 1;
        }
    }
    cells
}

/// The app's config as its machines describe it: the groups they run (scaling clones a group's running machine,
/// so nothing else of fly.toml is needed).
fn config_of(app: &str, cells: &Cells) -> AppConfig {
    let mut config = AppConfig { app: Some(app.to_owned()), ..AppConfig::default() };
    if cells.keys().any(|g| g != DEFAULT_GROUP) {
        // The command is not used: scaling copies each group's machine config.
        config.processes = flightdeck::sort::map_of(cells.keys().map(|g| (g.clone(), String::new())));
    }
    config
}

/// The size a group's machines have now, as `shared · 1 CPU · 256 MB` or `shared · 2 CPUs · 512 MB` (the first
/// machine's; mixed sizes say so).
fn group_size(machines: &[Machine], group: &str) -> String {
    let sizes: BTreeSet<String> = flightdeck::sort::set_of(
        machines
            .iter()
            .filter(|m| plan::group_of(m) == group && !m.state.is_gone())
            .filter_map(|m| m.config.as_ref()?.guest.as_ref())
            .map(|g| format!("{} · {} · {} MB", g.cpu_kind, crate::components::cpu_count(g.cpus), g.memory_mb)),
    );
    match sizes.len() {
        0 => "—".to_owned(),
        1 => sizes.into_iter().next().unwrap_or_default(),
        n => format!("{n} sizes"),
    }
}

/// A cell's count: a whole number the planner takes (at most [`MAX_MACHINES_PER_GROUP`], its cap for a group).
fn parse_count(text: &str) -> Option<usize> {
    text.parse::<usize>().ok().filter(|n| *n <= MAX_MACHINES_PER_GROUP)
}

/// A cell whose text is not a count.
#[derive(Debug, Clone, PartialEq)]
struct Unreadable {
    group: String,
    region: String,
    text: String,
}

impl Unreadable {
    fn message(&self) -> String {
        let Self { group, region, text } = self;
        format!("{group} in {region}: '{text}' is not a number of machines (0 to {MAX_MACHINES_PER_GROUP})")
    }
}

#[component]
pub fn ScaleTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let (revision, set_revision) = signal(0u32);
    let snapshot = {
        let (client, app) = (session.client.clone(), app.clone());
        LocalResource::new(move || {
            revision.track();
            let (client, app) = (client.clone(), app.clone());
            async move { AppSnapshot::read(&client, &app).await.map_err(|e| e.to_string()) }
        })
    };
    let machines = RwSignal::new(Vec::<Machine>::new());
    let volumes = RwSignal::new(Vec::<Volume>::new());
    let (load_error, set_load_error) = signal(None::<String>);
    let (loaded, set_loaded) = signal(false);
    // What each cell should have; starts as what runs, and is reset to it after every load.
    let desired = RwSignal::new(DesiredCounts::new());
    // Cells whose text is not a count: the text stays in its field, marked, and planning says which cell is wrong
    // instead of quietly keeping what runs there.
    let unreadable = RwSignal::new(Vec::<Unreadable>::new());
    let added_regions = RwSignal::new(Vec::<String>::new());
    let cells = Memo::new(move |_| machines.with(|m| live_cells(m)));
    Effect::new(move |_| {
        if let Some(result) = snapshot.get() {
            match result {
                Ok(snapshot) => {
                    machines.set(snapshot.machines);
                    volumes.set(snapshot.volumes);
                    unreadable.set(Vec::new());
                    desired.set(cells.with_untracked(|cells| {
                        flightdeck::sort::map_of(cells.iter().map(|(g, regions)| {
                            (g.clone(), flightdeck::sort::map_of(regions.iter().map(|(r, (a, b))| (r.clone(), a + b))))
                        }))
                    }));
                    set_load_error.set(None);
                }
                Err(error) => set_load_error.set(Some(error)),
            }
            set_loaded.set(true);
        }
    });
    // The regions machines run in and those added, each once, in order.
    let regions = Memo::new(move |_| {
        let mut regions = BTreeSet::new();
        cells.with(|c| regions.extend(c.values().flat_map(|r| r.keys().cloned())));
        added_regions.with(|a| regions.extend(a.iter().cloned()));
        regions.into_iter().collect::<Vec<String>>()
    });

    let planned = RwSignal::new(None::<Result<Plan, String>>);
    let (force, set_force) = signal(false);
    let plan_counts = {
        let app = app.clone();
        move |_| {
            if let Some(message) = unreadable.with_untracked(|u| u.first().map(Unreadable::message)) {
                planned.set(Some(Err(message)));
                return;
            }
            let config = cells.with(|c| config_of(&app, c));
            let options = ScaleCountOptions { force: force.get_untracked(), ..ScaleCountOptions::default() };
            let plan = machines.with_untracked(|m| {
                volumes.with_untracked(|v| {
                    desired.with_untracked(|d| plan::plan_scale_regions(&app, &config, m, v, d, &options))
                })
            });
            planned.set(Some(plan.map_err(|e| e.to_string())));
        }
    };
    let sizes = RwSignal::new(BTreeMap::<String, String>::new());
    let plan_size = {
        let app = app.clone();
        move |group: String| {
            let config = cells.with(|c| config_of(&app, c));
            let size = sizes.with_untracked(|s| s.get(&group).cloned());
            let options = ScaleVmOptions { size, memory_mb: None, group: Some(group) };
            let plan = machines.with_untracked(|m| plan::plan_scale_vm(&app, &config, m, &options));
            planned.set(Some(plan.map_err(|e| e.to_string())));
        }
    };

    let progress = RwSignal::new(Progress::default());
    let (apply, cancel) = plan_runner(session.client.clone(), progress, move || {
        planned.set(None);
        set_revision.update(|r| *r += 1);
    });

    let cell = move |group: String, region: String| {
        let label = format!("{group} machines in {region}");
        let (g, r) = (group.clone(), region.clone());
        let live = move || cells.with(|c| c.get(&g).and_then(|r2| r2.get(&r)).copied().unwrap_or_default());
        let (g, r) = (group.clone(), region.clone());
        let wanted = move || desired.with(|d| d.get(&g).and_then(|c| c.get(&r)).copied());
        let (g, r) = (group.clone(), region.clone());
        let set = move |text: String| {
            let text = text.trim();
            // Empty keeps what runs in the cell; anything else must be a count the planner accepts.
            let count = (!text.is_empty()).then(|| parse_count(text));
            unreadable.update(|u| {
                u.retain(|cell| cell.group != g || cell.region != r);
                if count == Some(None) {
                    u.push(Unreadable { group: g.clone(), region: r.clone(), text: text.to_owned() });
                }
            });
            desired.update(|d| {
                let cells = d.entry(g.clone()).or_default();
                match count.flatten() {
                    Some(n) => {
                        cells.insert(r.clone(), n);
                    }
                    None => {
                        cells.remove(&r);
                    }
                }
            });
            planned.set(None);
        };
        let (g, r) = (group.clone(), region.clone());
        let typed = move || {
            unreadable.with(|u| u.iter().find(|cell| cell.group == g && cell.region == r).map(|cell| cell.text.clone()))
        };
        let typed_for_mark = typed.clone();
        let live_for_drift = live.clone();
        let wanted_for_drift = wanted.clone();
        let drifted = move || {
            let (running, other) = live_for_drift();
            wanted_for_drift().is_some_and(|w| w != running + other)
        };
        let now = move || {
            let (running, other) = live();
            match (running, other) {
                (0, 0) => "none yet".to_owned(),
                (r, 0) => format!("{r} running"),
                (r, o) => format!("{r} running, {o} idle"),
            }
        };
        view! {
            <td class="cell" class:drift=drifted>
                <input type="number" min="0" max=MAX_MACHINES_PER_GROUP inputmode="numeric" aria-label=label
                    aria-invalid=move || typed_for_mark().is_some().then_some("true")
                    prop:value=move || typed().or_else(|| wanted().map(|w| w.to_string())).unwrap_or_default()
                    on:input=move |ev| set(event_target_value(&ev))/>
                <span class="now">{now}</span>
            </td>
        }
    };

    let grid = move || {
        let groups: Vec<String> = cells.with(|c| c.keys().cloned().collect());
        if groups.is_empty() {
            return view! { <p class="muted">"No managed machines yet: deploy or launch first."</p> }.into_any();
        }
        let regions = regions.get();
        let head = regions.iter().map(|r| view! { <th scope="col">{r.clone()}</th> }).collect_view();
        let rows = groups
            .into_iter()
            .map(|group| {
                let cells = regions.iter().map(|r| cell(group.clone(), r.clone())).collect_view();
                let g = group.clone();
                let total = move || desired.with(|d| d.get(&g).map_or(0, |c| c.values().sum::<usize>()));
                view! { <tr><th scope="row">{group.clone()}</th>{cells}<td class="num total">{total}</td></tr> }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="grid scale-grid" aria-label="Machines per group and region">
                    <thead><tr><th scope="col">"Group"</th>{head}<th scope="col" class="num">"Total"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let region_choice = move || {
        let shown = regions.get();
        let options = region_options("", &shown);
        view! {
            // Back to the placeholder once a region is added (the list is drawn again without it).
            <select aria-label="Add a region" prop:value=move || { regions.track(); String::new() } on:change=move |ev| {
                let code = event_target_value(&ev);
                if !code.is_empty() {
                    added_regions.update(|a| a.push(code));
                }
            }>
                <option value="" selected>"Add a region…"</option>
                {options}
            </select>
        }
    };
    let size_rows = move || {
        let groups: Vec<String> = cells.with(|c| c.keys().cloned().collect());
        groups
            .into_iter()
            .map(|group| {
                let now = machines.with(|m| group_size(m, &group));
                let options = size_options("");
                let (g, g2) = (group.clone(), group.clone());
                let plan_size = plan_size.clone();
                view! {
                    <tr>
                        <th scope="row">{group.clone()}<span class="now">{now}</span></th>
                        <td>
                            <select aria-label=format!("VM size of {group}") on:change=move |ev| {
                                let size = event_target_value(&ev);
                                sizes.update(|s| { s.insert(g.clone(), size); });
                                planned.set(None);
                            }>
                                <option value="" selected>"Choose a size…"</option>
                                {options}
                            </select>
                        </td>
                        <td><button type="button" class="small" aria-label=format!("Plan resize of {group}")
                            disabled=move || sizes.with(|s| !s.contains_key(&g2))
                            on:click=move |_| plan_size(group.clone())>"Plan resize"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="scale">
            <section class="card" aria-labelledby="counts-heading">
                <h2 id="counts-heading">"Machines per region"</h2>
                {move || (!loaded.get()).then(|| view! { <p class="muted">"Loading machines…"</p> })}
                {move || load_error.get().map(|e| view! { <ErrorNote message=e/> })}
                {grid}
                <div class="scale-options">
                    {region_choice}
                    <label><input type="checkbox" on:change=move |ev| set_force.set(event_target_checked(&ev))/>
                        " Remove a group's last machine with a volume (the volume stays)"</label>
                    <button type="button" on:click=plan_counts>"Plan scale"</button>
                </div>
            </section>
            <section class="card" aria-labelledby="sizes-heading">
                <h2 id="sizes-heading">"VM size per group"</h2>
                // The current size sits under the group's name: three columns fit the half-width card at 1280 px.
                <table class="grid sizes" aria-label="VM sizes">
                    <colgroup><col class="c-group"/><col/><col class="c-plan"/></colgroup>
                    <thead><tr><th scope="col">"Group · now"</th><th scope="col">"New size"</th>
                        <th><span class="visually-hidden">"Plan"</span></th></tr></thead>
                    <tbody>{size_rows}</tbody>
                </table>
            </section>
            <section class="card wide" aria-labelledby="scale-plan-heading">
                <h2 id="scale-plan-heading">"Plan"</h2>
                <PlanPreview planned=planned label="Scale plan" button="Apply" busy=apply.pending()
                    on_run=Callback::new(move |plan: Plan| { apply.dispatch(plan); })/>
                <RunView progress=progress label="Scale" cancel=cancel/>
            </section>
        </div>
    }
}
