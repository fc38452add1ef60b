//! Clone and resize one machine, from App → Machines: the options flyctl's `machine clone` and `machine update`
//! take (region, process group, clear or override the command, clear auto-destroy; a size preset or memory), the
//! plan, and its run in the live view.

use flightdeck::config::{PRESETS, validate};
use flightdeck::engine::{AppSnapshot, Progress};
use flightdeck::plan::{self, CloneOptions, CloneVolume, MachineUpdateOptions, Plan};
use leptos::prelude::*;

use crate::components::{PlanPreview, RunView, plan_runner, region_options, size_options};
use crate::state::{Drafts, Session, starting_draft};

/// What the editor does to the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Clone,
    Resize,
}

/// The settings the form collects, planned on demand.
#[derive(Debug, Clone, Default)]
struct Choices {
    region: String,
    group: String,
    clear_cmd: bool,
    override_cmd: String,
    clear_auto_destroy: bool,
    size: String,
    memory: String,
}

async fn make_plan(
    session: &Session,
    drafts: Drafts,
    app: &str,
    machine: &str,
    edit: Edit,
    choices: &Choices,
) -> Result<Plan, String> {
    let snapshot = AppSnapshot::read(&session.client, app).await.map_err(|e| e.to_string())?;
    match edit {
        Edit::Clone => {
            let source = drafts.0.with_untracked(|d| d.get(app).cloned());
            let source = source.unwrap_or_else(|| starting_draft(app, &snapshot.machines));
            let config = validate(&source).config;
            let options = CloneOptions {
                region: Some(choices.region.clone()).filter(|r| !r.is_empty()),
                group: Some(choices.group.clone()).filter(|g| !g.is_empty()),
                name: None,
                clear_auto_destroy: choices.clear_auto_destroy,
                clear_cmd: choices.clear_cmd,
                override_cmd: Some(choices.override_cmd.trim().to_owned()).filter(|c| !c.is_empty()),
                volume: CloneVolume::SameName,
            };
            plan::plan_clone(app, Some(&config), &snapshot.machines, &snapshot.volumes, machine, &options)
        }
        Edit::Resize => {
            let preset = PRESETS.iter().find(|p| p.name == choices.size);
            let memory = match choices.memory.trim() {
                "" => None,
                text => Some(text.parse::<u32>().map_err(|_| format!("memory {text:?}: a number of MB, like 1024"))?),
            };
            if preset.is_none() && memory.is_none() {
                return Err("choose a size or a memory amount".to_owned());
            }
            let options = MachineUpdateOptions {
                cpus: preset.map(|p| p.cpus),
                memory_mb: memory.or(preset.map(|p| p.memory_mb)),
                cpu_kind: preset.map(|p| p.cpu_kind.to_owned()),
                ..MachineUpdateOptions::default()
            };
            plan::plan_machine_update(app, &snapshot.machines, machine, &options)
        }
    }
    .map_err(|e| e.to_string())
}

#[component]
pub fn MachineEditor(
    app: String,
    machine: String,
    label: String,
    edit: Edit,
    #[prop(into)] groups: Signal<Vec<String>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let drafts = expect_context::<Drafts>();
    let choices = RwSignal::new(Choices::default());
    let planned = RwSignal::new(None::<Result<Plan, String>>);
    let plan_it = {
        let (session, app, machine) = (session.clone(), app.clone(), machine.clone());
        Action::new_local(move |choices: &Choices| {
            let (session, app, machine, choices) = (session.clone(), app.clone(), machine.clone(), choices.clone());
            async move {
                let plan = make_plan(&session, drafts, &app, &machine, edit, &choices).await;
                planned.set(Some(plan));
            }
        })
    };
    let progress = RwSignal::new(Progress::default());
    let (apply, cancel) = plan_runner(session.client.clone(), progress, move || planned.set(None));
    let title = match edit {
        Edit::Clone => format!("Clone machine {label}"),
        Edit::Resize => format!("Resize machine {label}"),
    };
    let fields = match edit {
        Edit::Clone => {
            let regions = region_options("", &[]);
            let group_options = move || {
                groups.get().into_iter().map(|g| view! { <option value=g.clone()>{g.clone()}</option> }).collect_view()
            };
            view! {
                <label for="clone-region">"Region"</label>
                <select id="clone-region" on:change=move |ev| choices.update(|c| c.region = event_target_value(&ev))>
                    <option value="" selected>"Same region"</option>{regions}
                </select>
                <label for="clone-group">"Process group"</label>
                <select id="clone-group" on:change=move |ev| choices.update(|c| c.group = event_target_value(&ev))>
                    <option value="" selected>"Same group"</option>{group_options}
                </select>
                <label for="clone-cmd">"Command"</label>
                <input id="clone-cmd" placeholder="keep the machine's" on:input=move |ev| choices.update(|c| c.override_cmd = event_target_value(&ev))/>
                <label class="check"><input type="checkbox" on:change=move |ev| choices.update(|c| c.clear_cmd = event_target_checked(&ev))/>
                    " Clear the command (use the image's)"</label>
                <label class="check"><input type="checkbox" on:change=move |ev| choices.update(|c| c.clear_auto_destroy = event_target_checked(&ev))/>
                    " Clear auto-destroy"</label>
            }
            .into_any()
        }
        Edit::Resize => {
            let sizes = size_options("");
            view! {
                <label for="resize-size">"Size"</label>
                <select id="resize-size" on:change=move |ev| choices.update(|c| c.size = event_target_value(&ev))>
                    <option value="" selected>"Keep CPUs"</option>{sizes}
                </select>
                <label for="resize-memory">"Memory (MB)"</label>
                <input id="resize-memory" inputmode="numeric" placeholder="the size's" on:input=move |ev| choices.update(|c| c.memory = event_target_value(&ev))/>
            }
            .into_any()
        }
    };
    let heading = title.clone();
    view! {
        <section class="card editor-panel" aria-label=title>
            <div class="section-head">
                <h2>{heading}</h2>
                <button type="button" class="small" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <form class="fields" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                plan_it.dispatch(choices.get_untracked());
            }>
                {fields}
                <button type="submit" disabled=move || plan_it.pending().get()>"Plan"</button>
            </form>
            <PlanPreview planned=planned label="Machine plan" button="Apply" busy=apply.pending()
                on_run=Callback::new(move |plan: Plan| { apply.dispatch(plan); })/>
            <RunView progress=progress label="Machine change" cancel=cancel/>
        </section>
    }
}
