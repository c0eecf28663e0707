//! What publishing a post-mortem to a ticketing back end takes from its Markdown: the title
//! (its first heading) and the action items (the rows of the "Action items" table with an
//! action and no ticket yet), each to become a ticket of its own.

/// One row of the action items table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItem {
    /// What is to be done.
    pub action: String,
    /// Who does it.
    pub owner: String,
    /// Its ticket, when it has one already.
    pub ticket: String,
    /// By when.
    pub due: String,
}

/// The post-mortem's title: its first `#` heading, else "Post-mortem".
pub fn title(markdown: &str) -> String {
    markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| crate::model::sanitize::line(t.trim(), 200))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Post-mortem".into())
}

/// The action items still without a ticket, in table order.
pub fn open_action_items(markdown: &str) -> Vec<ActionItem> {
    let mut out = Vec::new();
    let mut in_section = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix("## ") {
            in_section = heading.trim().eq_ignore_ascii_case("action items");
            continue;
        }
        if !in_section || !trimmed.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = trimmed
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or_default().to_string();
        let is_rule = cells
            .iter()
            .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':')));
        let action = cell(0);
        if is_rule || action.is_empty() || action.eq_ignore_ascii_case("action") {
            continue;
        }
        let item = ActionItem {
            action,
            owner: cell(1),
            ticket: cell(2),
            due: cell(3),
        };
        if item.ticket.is_empty() {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PM: &str = "# Post-mortem: Checkout is down\n\n## Summary\n\n| a | b |\n|---|---|\n| not | this |\n\n\
        ## Action items\n\n| Action | Owner | Ticket | Due |\n|---|---|---|---|\n\
        | Alert on pool saturation | ana | | 2026-12-10 |\n| Raise pool size | bo | OPS-12 | |\n\
        | | | | |\n| Runbook for failover | | | |\n\n## After\n| x | | | |\n";

    #[test]
    fn the_title_and_the_action_items_without_a_ticket_are_read() {
        assert_eq!(title(PM), "Post-mortem: Checkout is down");
        assert_eq!(title("no heading"), "Post-mortem");
        let items = open_action_items(PM);
        let actions: Vec<&str> = items.iter().map(|i| i.action.as_str()).collect();
        assert_eq!(
            actions,
            ["Alert on pool saturation", "Runbook for failover"]
        );
        assert_eq!(
            (items[0].owner.as_str(), items[0].due.as_str()),
            ("ana", "2026-12-10")
        );
    }
}
