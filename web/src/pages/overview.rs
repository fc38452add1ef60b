//! App → Overview: a world map (SVG, drawn here: no tiles, no network) with a mark on each region the app runs in,
//! sized by its machine count, and the same counts as a table (started of total, per region and process group).
//!
//! The counts come from the summary list (state and region, without configs) every few seconds; each machine's
//! process group is in its config, so it comes from the full list, read at first, after every few summaries, and at
//! once when a summary shows a machine that is new, gone or at another version (a group changes only with a new
//! version).
//!
//! Beside them, drift: which machines run something other than what the app's fly.toml draft (App → Config) gives
//! their group — each with the changes a deploy would make — computed by the core's `plan::drift` from each full
//! list (a machine's config changes only with a new version, which makes the next summary ask for the full list).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use flightdeck::api::{ApiError, Machine, MachineState};
use flightdeck::config::{RegionStatus, region_coordinates, region_status, validate};
use flightdeck::plan;
use leptos::prelude::*;

use crate::components::ErrorNote;
use crate::route::{Route, Tab};
use crate::state::{Drafts, Session, live_fleet};

/// How often the counts are refreshed from summaries.
const SUMMARY_EVERY: Duration = Duration::from_secs(5);
/// Summaries read between two full lists when nothing new shows in them.
const SUMMARIES_PER_FULL_LIST: u32 = 6;

/// The map's frame: longitude −180…180 across, latitude 75…−60 down (the inhabited band), in SVG units.
const WIDTH: f32 = 1000.0;
const NORTH: f32 = 75.0;
const SOUTH: f32 = -60.0;

fn project(lat: f32, lon: f32) -> (f32, f32) {
    let x = (lon + 180.0) / 360.0 * WIDTH;
    let y = (NORTH - lat) / 360.0 * WIDTH;
    (x, y)
}

fn height() -> f32 {
    (NORTH - SOUTH) / 360.0 * WIDTH
}

/// Coarse outlines of the continents as `(longitude, latitude)` rings: enough to place regions at a glance.
const LAND: &[&[(f32, f32)]] = &[
    // North America
    &[
        (-168.0, 66.0),
        (-140.0, 70.0),
        (-95.0, 72.0),
        (-80.0, 63.0),
        (-60.0, 55.0),
        (-52.0, 47.0),
        (-66.0, 44.0),
        (-75.0, 35.0),
        (-81.0, 25.0),
        (-97.0, 26.0),
        (-97.0, 19.0),
        (-88.0, 15.0),
        (-83.0, 9.0),
        (-78.0, 8.0),
        (-92.0, 14.0),
        (-105.0, 20.0),
        (-112.0, 29.0),
        (-117.0, 32.0),
        (-124.0, 40.0),
        (-125.0, 49.0),
        (-135.0, 58.0),
        (-150.0, 60.0),
        (-165.0, 60.0),
    ],
    // Greenland
    &[(-73.0, 78.0), (-20.0, 75.0), (-22.0, 70.0), (-44.0, 60.0), (-55.0, 66.0)],
    // South America
    &[
        (-78.0, 8.0),
        (-60.0, 10.0),
        (-50.0, 0.0),
        (-35.0, -6.0),
        (-40.0, -22.0),
        (-48.0, -28.0),
        (-58.0, -38.0),
        (-65.0, -55.0),
        (-72.0, -50.0),
        (-74.0, -40.0),
        (-71.0, -18.0),
        (-81.0, -5.0),
        (-80.0, 2.0),
    ],
    // Europe
    &[
        (-10.0, 36.0),
        (-9.0, 43.0),
        (-2.0, 48.0),
        (8.0, 54.0),
        (5.0, 62.0),
        (15.0, 69.0),
        (30.0, 71.0),
        (40.0, 67.0),
        (40.0, 45.0),
        (28.0, 41.0),
        (22.0, 36.0),
        (12.0, 38.0),
        (3.0, 42.0),
    ],
    // Great Britain
    &[(-5.5, 50.0), (1.5, 51.0), (-2.0, 56.0), (-5.0, 58.5), (-6.0, 55.0)],
    // Africa
    &[
        (-17.0, 21.0),
        (-6.0, 36.0),
        (10.0, 37.0),
        (32.0, 31.0),
        (43.0, 12.0),
        (51.0, 12.0),
        (40.0, -15.0),
        (33.0, -27.0),
        (20.0, -35.0),
        (12.0, -17.0),
        (9.0, 4.0),
        (-8.0, 5.0),
        (-17.0, 14.0),
    ],
    // Asia
    &[
        (40.0, 45.0),
        (40.0, 67.0),
        (70.0, 73.0),
        (110.0, 74.0),
        (140.0, 72.0),
        (180.0, 68.0),
        (160.0, 59.0),
        (142.0, 50.0),
        (130.0, 42.0),
        (122.0, 30.0),
        (110.0, 20.0),
        (105.0, 10.0),
        (100.0, 2.0),
        (95.0, 15.0),
        (80.0, 8.0),
        (72.0, 20.0),
        (57.0, 25.0),
        (48.0, 30.0),
        (35.0, 36.0),
    ],
    // Japan
    &[(130.0, 31.0), (141.0, 36.0), (142.0, 43.0), (140.0, 41.0), (135.0, 34.0)],
    // Australia
    &[
        (114.0, -22.0),
        (122.0, -18.0),
        (131.0, -12.0),
        (142.0, -11.0),
        (146.0, -19.0),
        (153.0, -28.0),
        (150.0, -37.0),
        (141.0, -38.0),
        (131.0, -31.0),
        (115.0, -34.0),
    ],
];

fn land_path() -> String {
    let mut d = String::new();
    for ring in LAND {
        for (i, &(lon, lat)) in ring.iter().enumerate() {
            let (x, y) = project(lat, lon);
            d.push_str(&format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }));
        }
        d.push('Z');
    }
    d
}

/// Per region: machines started, and all live ones, by group.
#[derive(Debug, Clone, Default, PartialEq)]
struct RegionCount {
    started: usize,
    total: usize,
    groups: BTreeMap<String, usize>,
}

/// Counts live machines by region; `group` names each one's process group.
fn count_by_region<'a>(
    machines: &'a [Machine],
    group: impl Fn(&'a Machine) -> &'a str,
) -> BTreeMap<String, RegionCount> {
    let mut regions: BTreeMap<String, RegionCount> = BTreeMap::new();
    for machine in machines.iter().filter(|m| !m.state.is_gone()) {
        let count = regions.entry(machine.region.clone()).or_default();
        count.total += 1;
        if machine.state == MachineState::Started {
            count.started += 1;
        }
        *count.groups.entry(group(machine).to_owned()).or_default() += 1;
    }
    regions
}

/// Machines of the drift list shown, and changes shown per machine: the rest are counted.
const DRIFT_MACHINES_SHOWN: usize = 20;
const DRIFT_CHANGES_SHOWN: usize = 6;

/// How the listed machines differ from the draft, as the drift card shows it.
#[derive(Debug, Clone, PartialEq)]
struct DriftView {
    /// Machines deploys manage.
    managed: usize,
    /// `(machine as plans name it, group, the changes as plans write them, its group is gone)`.
    differing: Vec<(String, String, Vec<String>, bool)>,
    unmanaged: usize,
}

impl DriftView {
    fn of(config: &flightdeck::config::AppConfig, machines: &[Machine]) -> Self {
        let drift = plan::drift(config, machines, &plan::DesiredCounts::new());
        let managed = machines.iter().filter(|m| !m.state.is_gone() && plan::is_managed(m)).count();
        let differing = drift
            .machines
            .into_iter()
            .map(|d| {
                let changes = d.changes.iter().map(ToString::to_string).collect();
                (d.machine.shown(), d.machine.group, changes, d.orphaned)
            })
            .collect();
        DriftView { managed, differing, unmanaged: drift.unmanaged.len() }
    }
}

/// What the full list told of one machine: its version and its process group.
#[derive(Debug, Clone, PartialEq)]
struct Known {
    version: String,
    group: String,
}

#[component]
pub fn OverviewTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    // The draft, parsed once: it changes only in App → Config. `Err` when it has errors (nothing to compare).
    let draft = expect_context::<Drafts>().0.with_untracked(|d| d.get(&app).map(|source| validate(source)));
    let draft = draft.map(|report| if report.has_errors() { Err(()) } else { Ok(report.config) });
    let draft = StoredValue::new(draft);
    let (drift, set_drift) = signal(None::<DriftView>);
    let (counts, set_counts) = signal(None::<BTreeMap<String, RegionCount>>);
    let (error, set_error) = signal(None::<String>);
    // The full list's versions and groups by machine id.
    let known = StoredValue::new(HashMap::<String, Known>::new());
    // Counted from the listed machines in place; a failed refresh keeps the last counts beside its error.
    let apply_full = move |listed: &Result<Vec<Machine>, ApiError>| match listed {
        Ok(list) => {
            let by_id = list.iter().map(|m| {
                let known = Known { version: m.current_version().to_owned(), group: plan::group_of(m).to_owned() };
                (m.id.clone(), known)
            });
            known.set_value(by_id.collect());
            set_counts.set(Some(count_by_region(list, plan::group_of)));
            let fresh = draft.with_value(|d| d.as_ref().and_then(|d| d.as_ref().ok()).map(|c| DriftView::of(c, list)));
            if drift.with_untracked(|shown| *shown != fresh) {
                set_drift.set(fresh);
            }
            set_error.set(None);
        }
        Err(e) => set_error.set(Some(e.to_string())),
    };
    // Summaries of the known machines at their known versions are counted with the groups the full list gave;
    // anything else needs the full list.
    let apply_summaries = move |summaries: &[Machine]| {
        let fresh = known.with_value(|known| {
            let all_known = summaries.len() == known.len()
                && summaries.iter().all(|m| known.get(&m.id).is_some_and(|k| k.version == m.current_version()));
            all_known.then(|| count_by_region(summaries, |m| known.get(&m.id).map_or("", |k| k.group.as_str())))
        });
        let Some(fresh) = fresh else { return true };
        if counts.with_untracked(|counts| counts.as_ref() != Some(&fresh)) {
            set_counts.set(Some(fresh));
        }
        if error.with_untracked(Option::is_some) {
            set_error.set(None);
        }
        false
    };
    live_fleet(&session, &app, SUMMARY_EVERY, SUMMARIES_PER_FULL_LIST, apply_full, apply_summaries);
    let land = land_path();
    let graticule = {
        let mut d = String::new();
        for lon in (-150..=150).step_by(30) {
            let (x, top) = project(NORTH, lon as f32);
            let (_, bottom) = project(SOUTH, lon as f32);
            d.push_str(&format!("M{x:.1},{top:.1}L{x:.1},{bottom:.1}"));
        }
        for lat in [-30, 0, 30, 60] {
            let (left, y) = project(lat as f32, -180.0);
            let (right, _) = project(lat as f32, 180.0);
            d.push_str(&format!("M{left:.1},{y:.1}L{right:.1},{y:.1}"));
        }
        d
    };
    let marks = move || {
        let counts = counts.get().unwrap_or_default();
        let most = counts.values().map(|c| c.total).max().unwrap_or(1).max(1) as f32;
        counts
            .into_iter()
            .filter_map(|(region, count)| {
                let (lat, lon) = region_coordinates(&region)?;
                let (x, y) = project(lat, lon);
                let r = 6.0 + 14.0 * (count.total as f32 / most).sqrt();
                let title = format!("{region}: {} of {} machines started", count.started, count.total);
                let class = if count.started == count.total { "mark" } else { "mark partial" };
                Some(view! {
                    <g class=class>
                        <title>{title}</title>
                        <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r=format!("{r:.1}")></circle>
                        <text x=format!("{x:.1}") y=format!("{:.1}", y - r - 4.0) text-anchor="middle">
                            {format!("{region} · {}", count.total)}
                        </text>
                    </g>
                })
            })
            .collect_view()
    };
    let rows = move || {
        counts
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|(region, count)| {
                let place = match region_status(&region) {
                    RegionStatus::Current(place) => place.to_owned(),
                    RegionStatus::Deprecated => "retired region".to_owned(),
                    RegionStatus::Unknown => "unknown region".to_owned(),
                };
                let groups = count.groups.iter().map(|(g, n)| format!("{g} {n}")).collect::<Vec<_>>().join(", ");
                view! {
                    <tr>
                        <td class="mono">{region}</td>
                        <td>{place}</td>
                        <td class="num">{format!("{} of {}", count.started, count.total)}</td>
                        <td>{groups}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let config_href = Route::App { name: app.clone(), tab: Tab::Config }.href();
    let deploy_href = Route::App { name: app.clone(), tab: Tab::Deploy }.href();
    let drift_body = move || {
        let config_href = config_href.clone();
        let state = draft.with_value(|d| d.as_ref().map(Result::is_ok));
        match state {
            None => {
                return view! {
                    <p class="muted">"No fly.toml draft for this app yet: "<a href=config_href>"App → Config"</a>
                        " starts one from its machines; edit it there to see what a deploy would change."</p>
                }
                .into_any();
            }
            Some(false) => {
                return view! {
                    <p class="muted">"The fly.toml draft has errors: fix them in "<a href=config_href>"App → Config"</a>
                        " to compare it with the machines."</p>
                }
                .into_any();
            }
            Some(true) => {}
        }
        let Some(view) = drift.get() else {
            return view! { <p class="muted">"Loading machines…"</p> }.into_any();
        };
        let unmanaged = (view.unmanaged > 0).then(|| {
            view! { <p class="muted">{format!("{} machine(s) not managed by deploys are left out.", view.unmanaged)}</p> }
        });
        if view.differing.is_empty() {
            let text = format!("All {} machine(s) run what fly.toml gives their groups.", view.managed);
            return view! { <p class="ok" role="status">{text}</p>{unmanaged} }.into_any();
        }
        let count = view.differing.len();
        let more = count.saturating_sub(DRIFT_MACHINES_SHOWN);
        let items = view
            .differing
            .into_iter()
            .take(DRIFT_MACHINES_SHOWN)
            .map(|(machine, group, changes, orphaned)| {
                let what = if orphaned {
                    format!("[{group}]: its group is not in fly.toml, so a deploy would destroy it")
                } else {
                    format!("[{group}]: {} change(s)", changes.len())
                };
                let hidden = changes.len().saturating_sub(DRIFT_CHANGES_SHOWN);
                let mut lines: Vec<String> = changes.into_iter().take(DRIFT_CHANGES_SHOWN).collect();
                if hidden > 0 {
                    lines.push(format!("… and {hidden} more"));
                }
                let lines = (!lines.is_empty()).then(|| view! { <pre class="mono">{lines.join("\n")}</pre> });
                view! { <li><span class="mono">{machine}</span>" "{what}{lines}</li> }
            })
            .collect_view();
        view! {
            <p>{format!("{} of {} machine(s) differ from fly.toml:", count, view.managed)}</p>
            <ul class="drift-list" aria-label="Machines that differ from fly.toml">{items}</ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("… and {more} more machine(s).")}</p> })}
            {unmanaged}
            <a class="button" href=deploy_href.clone()>"Plan the deploy"</a>
        }
        .into_any()
    };
    let view_box = format!("0 0 {WIDTH} {:.1}", height());
    view! {
        <div class="overview">
            {move || error.get().map(|e| view! { <ErrorNote message=e/> })}
            <section class="card" aria-labelledby="map-heading">
                <h2 id="map-heading">"Where the app runs"</h2>
                <svg class="world" viewBox=view_box role="img" aria-label="World map of the app's regions">
                    <path class="graticule" d=graticule></path>
                    <path class="land" d=land></path>
                    {marks}
                </svg>
                {move || counts.get().is_some_and(|c| c.is_empty()).then(|| view! { <p class="muted">"No machines yet."</p> })}
            </section>
            <section class="card" aria-labelledby="regions-heading">
                <h2 id="regions-heading">"Regions"</h2>
                <table class="grid regions" aria-label="Machines per region">
                    <thead><tr><th>"Region"</th><th>"Location"</th><th class="num">"Started"</th><th>"Groups"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
            <section class="card wide" aria-labelledby="drift-heading">
                <h2 id="drift-heading">"Drift from fly.toml"</h2>
                {drift_body}
            </section>
        </div>
    }
}
