//! App → Machines, by group: one column per process group, each holding its machines as cards. Dragging a card (or
//! the selection it belongs to) onto another group's column asks for the assignment's plan, as the selection bar's
//! "Assign to group" does; each column's "Move selected here" button does the same from the keyboard. Only the
//! groups of the app's fly.toml take machines; a group found on machines but not in fly.toml is shown, marked so.

use std::collections::{BTreeSet, HashMap};

use leptos::prelude::*;

use super::machines::RowView;

/// A column of the board: a process group and its machines, in the list's order.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    group: String,
    /// The group is one of fly.toml's: machines can be moved into it.
    in_config: bool,
    ids: Vec<String>,
}

/// The columns: fly.toml's groups in its order (empty ones too), then any other group machines carry.
fn columns_of(groups: &[String], ids: &[String], group_of: impl Fn(&str) -> Option<String>) -> Vec<Column> {
    let mut columns: Vec<Column> =
        groups.iter().map(|group| Column { group: group.clone(), in_config: true, ids: Vec::new() }).collect();
    for id in ids {
        let Some(group) = group_of(id) else { continue };
        match columns.iter_mut().find(|c| c.group == group) {
            Some(column) => column.ids.push(id.clone()),
            None => columns.push(Column { group, in_config: false, ids: vec![id.clone()] }),
        }
    }
    columns
}

#[component]
pub fn GroupBoard(
    /// The listed machines' ids, in order.
    ids: RwSignal<Vec<String>>,
    /// What each machine's row shows (its group among it), one signal per machine.
    rows: StoredValue<HashMap<String, ArcRwSignal<RowView>>>,
    /// fly.toml's process groups.
    #[prop(into)]
    groups: Signal<Vec<String>>,
    /// The selected machines, shared with the table.
    selected: RwSignal<BTreeSet<String>>,
    /// Moves machines to a group: `(ids, group)`, each id not in that group already.
    on_move: Callback<(Vec<String>, String)>,
) -> impl IntoView {
    let group_of = move |id: &str| rows.with_value(|rows| rows.get(id).map(|row| row.with(|r| r.group.clone())));
    let columns = Memo::new(move |_| groups.with(|groups| ids.with(|ids| columns_of(groups, ids, group_of))));
    // The machines being dragged, and the column under them.
    let dragging = RwSignal::new(Vec::<String>::new());
    let over = RwSignal::new(None::<String>);
    let leaving = move |machines: Vec<String>, group: &str| -> Vec<String> {
        machines.into_iter().filter(|id| group_of(id).is_some_and(|g| g != group)).collect()
    };

    let card = move |id: String| {
        let Some(row) = rows.with_value(|rows| rows.get(&id).cloned()) else {
            return ().into_any();
        };
        let label = row.with_untracked(|r| r.label(&id));
        let (check_id, select_id, drag_id) = (id.clone(), id.clone(), id.clone());
        let is_selected = move || selected.with(|s| s.contains(&check_id));
        let checked = is_selected.clone();
        let state = {
            let row = row.clone();
            move || row.with(|r| r.state.as_str().to_owned())
        };
        let state_class = {
            let row = row.clone();
            move || row.with(|r| format!("state state-{}", r.state.as_str()))
        };
        let region = move || row.with(|r| r.region.clone());
        view! {
            <li class="machine-card" class:selected=is_selected draggable="true"
                on:dragstart=move |ev: web_sys::DragEvent| {
                    let machines = if selected.with_untracked(|s| s.contains(&drag_id)) {
                        selected.get_untracked().into_iter().collect()
                    } else {
                        vec![drag_id.clone()]
                    };
                    if let Some(transfer) = ev.data_transfer() {
                        // Firefox starts a drag only with data set; the drop reads `dragging`.
                        let _ = transfer.set_data("text/plain", &machines.join("\n"));
                        transfer.set_effect_allowed("move");
                    }
                    dragging.set(machines);
                }
                on:dragend=move |_| { dragging.set(Vec::new()); over.set(None); }>
                <input type="checkbox" aria-label=format!("Select machine {label}") prop:checked=checked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| { if on { s.insert(select_id.clone()); } else { s.remove(&select_id); } });
                    }/>
                <span class="name" title=label.clone()>{label.clone()}</span>
                <span class="muted">{region}</span>
                <span class=state_class>{state}</span>
            </li>
        }
        .into_any()
    };

    let column = move |column: Column| {
        let Column { group, in_config, .. } = column;
        let ids_here = {
            let group = group.clone();
            Memo::new(move |_| {
                columns.with(|cs| cs.iter().find(|c| c.group == group).map(|c| c.ids.clone()).unwrap_or_default())
            })
        };
        let count = move || match ids_here.with(Vec::len) {
            1 => "1 machine".to_owned(),
            n => format!("{n} machines"),
        };
        let is_over = {
            let group = group.clone();
            move || over.with(|o| o.as_deref() == Some(group.as_str()))
        };
        let move_selected = {
            let group = group.clone();
            in_config.then(move || {
                let movable = {
                    let group = group.clone();
                    move || !leaving(selected.get().into_iter().collect(), &group).is_empty()
                };
                let target = group.clone();
                view! {
                    <button type="button" class="small" aria-label=format!("Move selected machines to group {group}")
                        disabled=move || !movable()
                        on:click=move |_| {
                            let machines = leaving(selected.get_untracked().into_iter().collect(), &target);
                            on_move.run((machines, target.clone()));
                        }>"Move selected here"</button>
                }
            })
        };
        let (over_group, drop_group) = (group.clone(), group.clone());
        view! {
            <section class="group-column" class:drop-target=is_over aria-label=format!("Group {group}")
                on:dragover=move |ev: web_sys::DragEvent| {
                    // Only fly.toml's groups take machines (a drop needs the default prevented).
                    if in_config && !dragging.with_untracked(Vec::is_empty) {
                        ev.prevent_default();
                        if let Some(transfer) = ev.data_transfer() {
                            transfer.set_drop_effect("move");
                        }
                        if !over.with_untracked(|o| o.as_deref() == Some(over_group.as_str())) {
                            over.set(Some(over_group.clone()));
                        }
                    }
                }
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    let machines = leaving(dragging.get_untracked(), &drop_group);
                    dragging.set(Vec::new());
                    over.set(None);
                    if in_config && !machines.is_empty() {
                        on_move.run((machines, drop_group.clone()));
                    }
                }>
                <header>
                    <h3>{group.clone()}</h3>
                    <span class="muted">{count}</span>
                    {(!in_config).then(|| view! { <span class="muted">"· not in fly.toml"</span> })}
                </header>
                <ul aria-label=format!("Machines in group {group}")>
                    <For each=move || ids_here.get() key=String::clone children=card/>
                </ul>
                {move_selected}
            </section>
        }
    };

    view! {
        <div class="group-board">
            <For each=move || columns.get() key=|c| (c.group.clone(), c.in_config) children=column/>
        </div>
    }
}
