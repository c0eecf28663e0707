//! `update` tests of the palette and the runbook: commands by name, completion, views, find.

use super::tests::*;

#[test]
fn palette_switches_views_and_themes_and_reports_unknown_words() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ':');
    typed(&mut app, "oncall");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::OnCall);
    // Every view has its word, like its key.
    for (word, view) in [
        ("silences", View::Silences),
        ("incidents", View::Incidents),
        ("outbox", View::Outbox),
        ("alerts", View::Alerts),
    ] {
        key(&mut app, ':');
        typed(&mut app, word);
        code(&mut app, KeyCode::Enter);
        assert_eq!(app.view, view, ":{word}");
    }
    key(&mut app, ':');
    typed(&mut app, "theme mono");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.theme.name, "mono");
    key(&mut app, ':');
    typed(&mut app, "bogus");
    code(&mut app, KeyCode::Enter);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.is_error && t.text.contains("bogus"))
    );
}

#[test]
fn commands_are_runnable_by_name() {
    let mut app = demo_app(100, 80, 24);
    let fx = app.update(Action::Run(Command::Refresh));
    assert_eq!(
        fx,
        vec![Effect::SendCommand {
            source: SourceId("demo".into()),
            command: SourceCommand::PollNow
        }]
    );
}

#[test]
fn b_opens_the_runbook_in_the_detail_and_esc_comes_back_to_the_list() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'b');
    assert!(app.is_detail_open && app.is_runbook_shown);
    key(&mut app, 'j');
    assert_eq!(app.detail_scroll, 1, "j scrolls the runbook");
    code(&mut app, KeyCode::Esc);
    assert!(!app.is_detail_open && !app.is_runbook_shown);
    code(&mut app, KeyCode::Enter);
    assert!(
        app.is_detail_open && !app.is_runbook_shown,
        "enter shows the alert"
    );
}

#[test]
fn a_runbook_link_is_fetched_once_and_a_failed_one_again() {
    let mut app = demo_app(100, 80, 24);
    // The demo's first alerts have built-in runbooks; HighLatency's is a link.
    while app
        .selected_alert()
        .is_some_and(|a| &*a.title != "HighLatency")
    {
        app.move_cursor(1);
    }
    let fx = key(&mut app, 'b');
    let [Effect::FetchRunbook(url)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(url.starts_with("https://runbooks.example.com/"), "{url}");
    assert_eq!(app.fetched_runbooks.get(url), Some(&None), "awaited");
    code(&mut app, KeyCode::Esc);
    assert!(key(&mut app, 'b').is_empty(), "asked already");
    app.update(Action::RunbookFetched {
        url: url.clone(),
        result: Err("HTTP 404".into()),
    });
    code(&mut app, KeyCode::Esc);
    assert_eq!(key(&mut app, 'b').len(), 1, "a failed fetch is asked again");
}

#[test]
fn find_works_in_a_runbook_and_says_when_text_is_missing() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ':');
    typed(&mut app, "find pool");
    code(&mut app, KeyCode::Enter);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.is_error && toast.text.contains("open one with b"),
        "{toast:?}"
    );
    key(&mut app, 'b');
    key(&mut app, ':');
    typed(&mut app, "find zebra");
    code(&mut app, KeyCode::Enter);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.text.contains("'zebra' is not in this runbook"),
        "{toast:?}"
    );
    assert_eq!(app.detail_scroll, 0);
}

// `:th` showed the hint `theme`, but tab did not complete it and enter said unknown command.
#[test]
fn the_palette_completes_on_tab_and_takes_a_unique_prefix() {
    let mut app = demo_app(100, 120, 30);
    key(&mut app, ':');
    typed(&mut app, "th");
    code(&mut app, KeyCode::Tab);
    assert!(
        matches!(&app.overlay, Overlay::Palette(i) if i.text() == "theme "),
        "{:?}",
        app.overlay
    );
    typed(&mut app, "light");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.theme.name, "light");
    // A unique prefix is that command, with its argument.
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "th mono", &mut fx);
    assert_eq!(app.theme.name, "mono");
    // Not one command: refused as before.
    crate::app::update::palette::run(&mut app, "zzq", &mut fx);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("unknown command"))
    );
    assert_eq!(crate::app::update::palette::complete("zzq"), None);
}
