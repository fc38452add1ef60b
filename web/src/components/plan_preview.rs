//! A plan before it runs: its text (phases, actions, each machine's changes) and the button that runs it, "nothing
//! to change" for an empty plan, or the sentence saying why there is no plan.

use flightdeck::plan::Plan;
use leptos::prelude::*;

use super::ErrorNote;

#[component]
pub fn PlanPreview(
    /// The plan, or why there is none; nothing is shown before a plan is asked for.
    #[prop(into)]
    planned: Signal<Option<Result<Plan, String>>>,
    /// Names the plan's text for assistive technology (`Deploy plan`, `Scale plan`, …).
    #[prop(into)]
    label: String,
    /// The run button's text.
    #[prop(into)]
    button: String,
    /// The run is under way: the button waits.
    #[prop(into)]
    busy: Signal<bool>,
    on_run: Callback<Plan>,
) -> impl IntoView {
    move || {
        planned.get().map(|result| match result {
            Ok(plan) => {
                let empty = plan.is_empty();
                let text = plan.describe();
                let (label, button) = (label.clone(), button.clone());
                view! {
                    <pre class="plan" aria-label=label>{text}</pre>
                    {empty.then(|| view! { <p class="muted">"Nothing to change."</p> })}
                    <button type="button" disabled=move || empty || busy.get()
                        on:click=move |_| on_run.run(plan.clone())>{button}</button>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNote message=error/> }.into_any(),
        })
    }
}
