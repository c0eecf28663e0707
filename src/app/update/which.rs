//! Which thing a command names when it may leave it out: the incident of `:note [N] …`,
//! `:status [N] …` (the one selected in the incidents view, or the only open one).

use crate::app::App;

/// The incident a palette command names ("N rest", or the only open one) and the rest of
/// its text; says why on the toast when there is none.
pub(super) fn which_incident<'t>(
    app: &mut App,
    word: &str,
    text: &'t str,
) -> Option<(i64, &'t str)> {
    use crate::model::incident::IncidentStatus;
    let (number, rest) = match text.split_once(' ').unwrap_or((text, "")) {
        (n, r) if n.trim_start_matches('#').parse::<i64>().is_ok() => {
            (n.trim_start_matches('#').parse::<i64>().ok(), r.trim())
        }
        _ => (None, text),
    };
    let open: Vec<i64> = app
        .incidents
        .iter()
        .filter(|i| i.status != IncidentStatus::Resolved)
        .map(|i| i.id)
        .collect();
    match (number, open.as_slice()) {
        (Some(n), _) if app.incidents.iter().any(|i| i.id == n) => Some((n, rest)),
        (Some(n), _) => {
            app.toast_error(format!("there is no incident {n}"));
            None
        }
        (None, _) if app.view == crate::app::View::Incidents && app.incident_selected.is_some() => {
            app.incident_selected.map(|id| (id, rest))
        }
        (None, [only]) => Some((*only, rest)),
        (None, []) => {
            app.toast_error("no open incident: declare one with I");
            None
        }
        (None, _) => {
            app.toast_error(format!(":{word} N … — which incident?"));
            None
        }
    }
}
