//! What the app asks the node while messages arrive: it updates what it holds in place and asks
//! again only for what it cannot work out, so a busy network does not make every open app
//! question its node once per message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;

use fixture::*;
use ratatui::crossterm::event::KeyCode;
use sangam_protocol::api::Event;
use sangam_protocol::kinds::{Close, Endorsement, Offer, Withdraw};
use sangam_protocol::{Body, MessageId};
use sangam_tui::app::{Action, App, Incoming};

/// How many requests to the node `actions` make.
fn requests(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Send(..)))
        .count()
}

fn announcement(title: &str) -> Body {
    Body::Announcement(sangam_protocol::kinds::Announcement {
        title: title.into(),
        body: String::new(),
        tags: vec![],
        expires_at: None,
    })
}

fn stored(app: &mut App, n: u8, by: u8, body: Body) -> Vec<Action> {
    app.on_incoming(Incoming::Event(Event::MessageStored {
        item: Box::new(item(n, by, 0, body)),
    }))
}

#[test]
fn a_hundred_arriving_messages_cost_a_handful_of_requests_and_change_what_is_shown() {
    let mut app = app();
    press(&mut app, KeyCode::Char('6'));
    let request = MessageId([10; 32]);
    let offers_before = app.items.iter().find(|i| i.id == request).unwrap().offers;
    let mut asked = 0;
    for n in 0..100u8 {
        let body = match n % 4 {
            0 => announcement(&format!("news {n}")),
            1 => Body::Offer(Offer {
                request,
                body: format!("we can help ({n})"),
            }),
            2 => Body::Endorsement(Endorsement {
                audit: MessageId([41; 32]),
                note: String::new(),
            }),
            _ => announcement(&format!("more news {n}")),
        };
        asked += requests(&stored(&mut app, 100 + n, 5, body));
    }
    assert_eq!(asked, 0, "the app asked its node once per message");
    let offers = app.items.iter().find(|i| i.id == request).unwrap().offers;
    assert_eq!(offers, offers_before + 25, "offers counted in place");

    // The author of a post closes it, then withdraws another: both change in place.
    let own = app.items.iter().find(|i| i.author == author(2)).unwrap().id;
    stored(
        &mut app,
        220,
        2,
        Body::Close(Close {
            item: own,
            note: String::new(),
        }),
    );
    assert!(app.items.iter().find(|i| i.id == own).unwrap().closed);
    stored(&mut app, 221, 2, Body::Withdraw(Withdraw { item: own }));
    let withdrawn = app.items.iter().find(|i| i.id == own).unwrap();
    assert!(withdrawn.withdrawn && withdrawn.body.is_none());

    // The next tick reads the status and peers as always, and the score card once.
    let tick = app.on_tick(NOW + 5_000);
    assert!(requests(&tick) <= 4, "{tick:?}");
    assert_eq!(
        requests(&app.on_tick(NOW + 10_000)),
        2,
        "the card was asked for again"
    );
}
