//! Which thing a command names when it may leave it out: the incident of `:note [N] …`,
//! `:status [N] …` (the one selected in the incidents view, or the only open one).

use crate::app::App;
use crate::model::incident::{Incident, IncidentStatus};

/// The incident a palette command names ("N rest", "INC-123 rest", or the only open one)
/// and the rest of its text; says why on the toast when there is none.
pub(super) fn which_incident<'t>(
    app: &mut App,
    word: &str,
    text: &'t str,
) -> Option<(Incident, &'t str)> {
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    if let Some(i) = app.incident_named(first) {
        return Some((i.clone(), rest.trim()));
    }
    if first.trim_start_matches('#').parse::<i64>().is_ok() {
        app.toast_error(format!("there is no incident {first}"));
        return None;
    }
    if app.view == crate::app::View::Incidents
        && let Some(i) = app.selected_incident()
    {
        return Some((i.clone(), text));
    }
    let open: Vec<&Incident> = app
        .incidents
        .iter()
        .filter(|i| i.status != IncidentStatus::Resolved)
        .collect();
    match open.as_slice() {
        [only] => Some(((*only).clone(), text)),
        [] => {
            app.toast_error("no open incident: declare one with I");
            None
        }
        _ => {
            app.toast_error(format!(":{word} N … — which incident?"));
            None
        }
    }
}
