//! Plans handed to JavaScript and taken back (`run`, `describePlan`): the core keeps each plan it hands over, by id,
//! and `pkg/plans.js` ties the id to the plan object JavaScript received. Only that object, unchanged (compared with
//! the kept plan when it comes back), is taken back: the engine runs exactly what the planner made (a copy, a
//! changed plan or a hand-written one is refused), and no plan decoder is compiled into the wasm (about 30 KB
//! gzipped). A plan is forgotten when its object is collected.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::{invalid_argument, to_js};
use crate::plan::Plan;

#[wasm_bindgen(module = "/pkg/plans.js")]
extern "C" {
    /// Notes `plan` (the object JavaScript gets) as the core's plan `id`; `forget(id)` runs once it is collected.
    #[wasm_bindgen(js_name = issuePlan)]
    fn issue_plan(plan: JsValue, id: u32, forget: &JsValue) -> JsValue;
    /// The id `plan` was issued with, or -1 when this module did not hand this object over.
    #[wasm_bindgen(js_name = issuedPlanId)]
    fn issued_plan_id(plan: &JsValue) -> f64;
    /// Whether `value` holds what `made` holds (a getter that throws is an error, not a crash).
    #[wasm_bindgen(js_name = samePlan, catch)]
    fn same_plan(value: &JsValue, made: &JsValue) -> Result<bool, JsValue>;
}

thread_local! {
    /// The plans JavaScript holds, by id.
    static ISSUED: RefCell<HashMap<u32, Rc<Plan>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
    /// Called when a plan's object is collected, made once for the module's life.
    static FORGET: JsValue = Closure::<dyn Fn(u32)>::new(|id: u32| {
        ISSUED.with_borrow_mut(|issued| issued.remove(&id));
    })
    .into_js_value();
}

/// Hands `plan` to JavaScript, keeping it to take back.
pub(crate) fn plan_to_js(plan: Plan) -> Result<JsValue, JsValue> {
    let value = to_js(&plan)?;
    let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
    ISSUED.with_borrow_mut(|issued| issued.insert(id, Rc::new(plan)));
    Ok(FORGET.with(|forget| issue_plan(value, id, forget)))
}

/// The plan behind a plan object JavaScript got from a planner, unchanged.
pub(crate) fn plan_arg(value: &JsValue, what: &str) -> Result<Rc<Plan>, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument(format!("{what} needs a plan, as planDeploy and the other planners return it")));
    }
    let id = issued_plan_id(value);
    let kept = if id >= 0.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ids are u32s the core made
        let id = id as u32;
        ISSUED.with_borrow(|issued| issued.get(&id).cloned())
    } else {
        None
    };
    let kept = kept.ok_or_else(|| {
        invalid_argument(format!(
            "{what} takes a plan object that planDeploy or another planner of this module returned, not a copy or one \
             read from JSON: plan again"
        ))
    })?;
    // Checked when taken back, not when made: planning 10,000 machines pays nothing for it.
    if !same_plan(value, &to_js(&*kept)?).unwrap_or(false) {
        return Err(invalid_argument(format!(
            "{what}: this plan was changed after it was made; only a plan as the planner made it runs: plan again"
        )));
    }
    Ok(kept)
}
