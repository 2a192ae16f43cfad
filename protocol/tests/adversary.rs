//! The adversary model of membership (issue #27): random histories in which honest stewards run
//! a network, then keys are seized — the founder's, stewards', a key revoked long ago — and the
//! thief signs whatever it likes with them (revocations of anyone at any cut-off, stewards of its
//! own, founder votes at any cut-off, councils, its own compromise notice to lock them in); the
//! acts arrive at nodes in any order and in part; then the honest side repairs with the commands
//! the app and command line offer (the founder revokes the seized keys from before the theft, or
//! the council votes a new founder key in, which then does the same).
//!
//! On every history it checks:
//! - **convergence**: any delivery order, and the incremental recomputation a node does as acts
//!   arrive one by one, give the same membership, founder and disputes;
//! - **durability**: settling the same set again (what a restart does) changes nothing;
//! - **safety**: no minority replaces the founder (no seized set smaller than a majority of the
//!   council, and never one key alone), and nothing a key signs after its cut-off counts;
//! - **repair**: afterwards every honest member is back with its role and no key the thief
//!   brought in is a member.
//!
//! `SANGAM_ADVERSARY_CASES` sets how many histories (1,000 by default, which CI runs in about
//! five seconds; RELIABILITY.md gives longer runs); they are the same every run unless
//! `SANGAM_ADVERSARY_RANDOM` is set, which explores new ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use sangam_protocol::kinds::{Council, KeyCompromised};
use sangam_protocol::membership::Membership;
use sangam_protocol::{AuthorId, Body, Message, Role};

const FOUNDER: u8 = 1;
const STEWARDS: [u8; 4] = [2, 3, 4, 5];
const MEMBERS: [u8; 2] = [6, 7];
const SUCCESSOR: u8 = 8;
const THIEFS_SUCCESSOR: u8 = 9;
const PUPPETS: [u8; 4] = [20, 21, 22, 23];

/// A deterministic random source, so that proptest shrinks a history by its seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn council_of(term: u32, keys: &[u8]) -> Body {
    let mut members: Vec<AuthorId> = keys.iter().map(|n| key(*n).author()).collect();
    members.sort();
    members.dedup();
    Body::Council(Council { term, members })
}

/// One history: the honest network, the thief's acts, and the honest repair.
struct History {
    genesis: Message,
    feeds: BTreeMap<u8, Feed>,
    clock: u64,
    /// Every act, honest and forged.
    acts: Vec<Message>,
    /// Each key's last message before the theft (what a steward trusts when repairing).
    last_honest: BTreeMap<u8, Message>,
    seized: BTreeSet<u8>,
    council: Option<Vec<u8>>,
    /// The membership the honest acts alone give.
    honest: Membership,
}

impl History {
    fn sign(&mut self, author: u8, body: Body) -> Message {
        self.clock += 1;
        let message = self
            .feeds
            .get_mut(&author)
            .expect("a feed for every key")
            .post_at(body, self.clock);
        self.acts.push(message.clone());
        message
    }

    fn admit(&mut self, by: u8, member: u8, role: Role) {
        let body = Body::Admit(sangam_protocol::kinds::Admit {
            member: key(member).author(),
            role,
            name: format!("collective {member}"),
        });
        self.sign(by, body);
    }

    fn revoke(&mut self, by: u8, member: u8, trusted: Option<&Message>) {
        let body = Body::Revoke(sangam_protocol::kinds::Revoke {
            member: key(member).author(),
            reason: "removed".into(),
            trusted_seq: trusted.map_or(0, |m| m.header().seq),
            trusted: trusted.map(Message::id),
        });
        self.sign(by, body);
    }

    fn vote(&mut self, by: u8, founder: u8, successor: u8, trusted: Option<&Message>) {
        let body = Body::ReplaceFounder(sangam_protocol::kinds::ReplaceFounder {
            founder: key(founder).author(),
            successor: key(successor).author(),
            name: format!("founder {successor}"),
            trusted_seq: trusted.map_or(0, |m| m.header().seq),
            trusted: trusted.map(Message::id),
            reason: "the founder's laptop was taken".into(),
        });
        self.sign(by, body);
    }

    /// The last message `author` signed so far, if any.
    fn last_of(&self, author: u8) -> Option<Message> {
        self.acts
            .iter()
            .filter(|m| m.header().author == key(author).author())
            .max_by_key(|m| m.header().seq)
            .cloned()
    }

    fn settle(&self, messages: &[Message]) -> Membership {
        Membership::compute(&self.genesis, &acts(messages)).unwrap()
    }

    /// An honest network: the founder admits three or four stewards and both members (stewards
    /// admit some), may name a council, and may revoke one steward for good.
    fn honest(dice: &mut Dice) -> History {
        let (genesis, founder) = network();
        let mut feeds = BTreeMap::from([(FOUNDER, founder)]);
        for n in STEWARDS
            .into_iter()
            .chain(MEMBERS)
            .chain([SUCCESSOR, THIEFS_SUCCESSOR])
            .chain(PUPPETS)
        {
            feeds.insert(n, Feed::new(key(n), genesis.header().network));
        }
        let mut history = History {
            honest: Membership::from_genesis(&genesis).unwrap(),
            genesis,
            feeds,
            clock: NOW,
            acts: Vec::new(),
            last_honest: BTreeMap::new(),
            seized: BTreeSet::new(),
            council: None,
        };
        let stewards = 3 + dice.below(2);
        let mut admitted = vec![FOUNDER];
        for steward in &STEWARDS[..stewards] {
            let by = if dice.chance(70) {
                FOUNDER
            } else {
                dice.pick(&admitted)
            };
            history.admit(by, *steward, Role::Steward);
            admitted.push(*steward);
        }
        for member in MEMBERS {
            let by = dice.pick(&admitted);
            history.admit(by, member, Role::Member);
        }
        if dice.chance(70) {
            let mut seats: Vec<u8> = admitted[1..].to_vec();
            dice.shuffle(&mut seats);
            seats.truncate(3.max(seats.len() - dice.below(2)));
            history.sign(FOUNDER, council_of(1, &seats));
            history.council = Some(seats);
        }
        if dice.chance(25) {
            // A steward revoked long ago (trusting what it did): its key may be seized later.
            let gone = dice.pick(&admitted[1..]);
            let trusted = history.last_of(gone);
            history.revoke(FOUNDER, gone, trusted.as_ref());
        }
        history.honest = history.settle(&history.acts);
        for n in history.feeds.keys().copied().collect::<Vec<_>>() {
            if let Some(last) = history.last_of(n) {
                history.last_honest.insert(n, last);
            }
        }
        history
    }

    /// The thief takes one or two keys (the founder's among them, sometimes) and signs a few
    /// acts with each.
    fn seize(&mut self, dice: &mut Dice) {
        let mut candidates: Vec<u8> = STEWARDS
            .into_iter()
            .filter(|n| self.honest.was_ever_admitted(&key(*n).author()))
            .collect();
        if dice.chance(35) {
            candidates.push(FOUNDER);
        }
        dice.shuffle(&mut candidates);
        let taken = 1 + dice.below(2);
        self.seized = candidates.into_iter().take(taken).collect();
        let seized: Vec<u8> = self.seized.iter().copied().collect();
        let everyone: Vec<u8> = STEWARDS.into_iter().chain(MEMBERS).collect();
        for thief in seized {
            for _ in 0..1 + dice.below(4) {
                match dice.below(6) {
                    0 => {
                        let victim = dice.pick(&everyone);
                        let cut = if dice.chance(50) {
                            None
                        } else {
                            self.last_of(victim)
                        };
                        self.revoke(thief, victim, cut.as_ref());
                    }
                    1 => {
                        let puppet = dice.pick(&PUPPETS);
                        self.admit(thief, puppet, Role::Steward);
                    }
                    2 if thief != FOUNDER => {
                        // Any cut-off the founder's feed allows, the earliest included.
                        let founder_acts: Vec<Message> = self
                            .acts
                            .iter()
                            .filter(|m| m.header().author == key(FOUNDER).author())
                            .cloned()
                            .collect();
                        let cut = if founder_acts.is_empty() || dice.chance(20) {
                            None
                        } else {
                            Some(founder_acts[dice.below(founder_acts.len())].clone())
                        };
                        self.vote(thief, FOUNDER, THIEFS_SUCCESSOR, cut.as_ref());
                    }
                    3 => {
                        let term = 1 + dice.below(2) as u32;
                        let seats = [dice.pick(&PUPPETS), dice.pick(&PUPPETS), thief];
                        self.sign(thief, council_of(term, &seats));
                    }
                    4 => {
                        let body = Body::KeyCompromised(KeyCompromised {
                            reason: "lost".into(),
                        });
                        self.sign(thief, body);
                    }
                    _ => {
                        let puppet = dice.pick(&PUPPETS);
                        self.admit(thief, puppet, Role::Member);
                    }
                }
            }
        }
    }

    /// Whether the rules promise that the thief cannot replace the founder: it holds fewer than a
    /// majority of the council, or, without a council, only one steward key.
    fn replacement_is_out_of_reach(&self) -> bool {
        let stewards_seized = self.seized.iter().filter(|n| **n != FOUNDER).count();
        match &self.council {
            Some(seats) => {
                let held = seats.iter().filter(|n| self.seized.contains(n)).count();
                held * 2 <= seats.len()
            }
            None => stewards_seized <= 1,
        }
    }

    /// The honest side repairs: the founder (or, if its key was taken, the council — or without
    /// one every honest steward — voting a new key in, which then acts) revokes each seized key
    /// from its last honest message.
    fn repair(&mut self) -> Option<u8> {
        let mut acting = FOUNDER;
        if self.seized.contains(&FOUNDER) {
            // With the founder's key taken, every honest steward revokes the seized stewards from
            // before the theft (undoing their revocations of voters; where a thief revoked them
            // all blindly the seats are disputed and still vote), the council votes a new key
            // in, and it revokes the seized stewards too (ending any such dispute).
            let honest_stewards: Vec<u8> = STEWARDS
                .into_iter()
                .filter(|n| {
                    !self.seized.contains(n)
                        && self.honest.role_of(&key(*n).author()) == Some(Role::Steward)
                })
                .collect();
            for thief in self.seized.clone() {
                if thief == FOUNDER {
                    continue;
                }
                let cut = self.last_honest.get(&thief).cloned();
                for steward in &honest_stewards {
                    self.revoke(*steward, thief, cut.as_ref());
                }
            }
            let electorate: Vec<u8> = match &self.council {
                Some(seats) => seats.clone(),
                None => STEWARDS
                    .into_iter()
                    .filter(|n| self.honest.role_of(&key(*n).author()) == Some(Role::Steward))
                    .collect(),
            };
            let voters: Vec<u8> = electorate
                .iter()
                .copied()
                .filter(|n| {
                    !self.seized.contains(n)
                        && self.honest.role_of(&key(*n).author()) == Some(Role::Steward)
                })
                .collect();
            if voters.len() < 2 || voters.len() * 2 <= electorate.len() {
                return None;
            }
            let cut = self.last_honest.get(&FOUNDER).cloned();
            for voter in voters {
                self.vote(voter, FOUNDER, SUCCESSOR, cut.as_ref());
            }
            acting = SUCCESSOR;
        }
        let seized: Vec<u8> = self.seized.iter().copied().collect();
        for thief in seized {
            if thief == FOUNDER {
                continue;
            }
            let cut = self.last_honest.get(&thief).cloned();
            self.revoke(acting, thief, cut.as_ref());
        }
        Some(acting)
    }
}

/// Everything one history must satisfy.
fn check(seed: u64) -> Result<(), TestCaseError> {
    let mut dice = Dice(seed);
    let mut history = History::honest(&mut dice);
    history.seize(&mut dice);

    // Convergence: shuffled orders and the node's incremental recomputation agree.
    let attacked = history.settle(&history.acts);
    for _ in 0..2 {
        let mut order = history.acts.clone();
        dice.shuffle(&mut order);
        prop_assert_eq!(
            &history.settle(&order),
            &attacked,
            "order changed the outcome"
        );
    }
    let mut incremental = Membership::from_genesis(&history.genesis).unwrap();
    let mut arrived = Vec::new();
    let mut order = acts(&history.acts);
    dice.shuffle(&mut order);
    for act in order {
        arrived.push(act);
        incremental.apply(&arrived);
    }
    prop_assert_eq!(
        &incremental,
        &attacked,
        "one by one differs from all at once"
    );
    // Partial delivery never panics and a node that holds part settles the same part alike.
    let part = dice.below(history.acts.len() + 1);
    let mut some = history.acts[..part].to_vec();
    let first = history.settle(&some);
    dice.shuffle(&mut some);
    prop_assert_eq!(&history.settle(&some), &first);

    // Safety: no minority replaces the founder.
    if history.replacement_is_out_of_reach() && !history.seized.contains(&FOUNDER) {
        prop_assert_eq!(
            attacked.founder(),
            key(FOUNDER).author(),
            "a minority replaced the founder (seized {:?}, council {:?})",
            history.seized,
            history.council
        );
    }
    cut_offs_hold(&history, &attacked)?;

    // Repair, where the rules promise it. Known limit (PROTOCOL.md §8 rule 7): a network that
    // never named a council, whose founder key is taken, can find the thief naming one of its
    // own first; that is why the council is named early.
    if !history.replacement_is_out_of_reach()
        || (history.seized.contains(&FOUNDER)
            && history.council.is_none()
            && attacked.council().is_some())
    {
        return Ok(());
    }
    let Some(acting) = history.repair() else {
        return Ok(());
    };
    let repaired = history.settle(&history.acts);
    // Known limit (PROTOCOL.md §8 rule 7): without a council, a seized steward's blind
    // revocation of the honest stewards leaves them disputed, a dispute only the founder could
    // settle — and the founder's key is the one taken.
    if history.seized.contains(&FOUNDER)
        && history.council.is_none()
        && repaired.disputed().next().is_some()
    {
        return Ok(());
    }
    // Durability: settling the same set again changes nothing.
    prop_assert_eq!(&history.settle(&history.acts), &repaired);
    cut_offs_hold(&history, &repaired)?;
    prop_assert_eq!(
        repaired.founder(),
        key(acting).author(),
        "the repair's founder"
    );
    for (member, info) in history.honest.members() {
        let seized = history.seized.iter().any(|n| key(*n).author() == *member);
        if seized || *member == key(FOUNDER).author() {
            continue;
        }
        prop_assert_eq!(
            repaired.role_of(member),
            Some(info.role),
            "{} is not back after the repair (seized {:?}, council {:?})",
            info.name,
            history.seized,
            history.council
        );
    }
    for puppet in PUPPETS.into_iter().chain([THIEFS_SUCCESSOR]) {
        prop_assert_eq!(repaired.role_of(&key(puppet).author()), None);
    }
    for thief in &history.seized {
        if *thief != FOUNDER || acting != FOUNDER {
            prop_assert_eq!(repaired.role_of(&key(*thief).author()), None);
        }
    }
    Ok(())
}

/// Nothing a revoked key signed after its cut-off gives anyone membership.
fn cut_offs_hold(history: &History, membership: &Membership) -> Result<(), TestCaseError> {
    for (member, info) in membership.members() {
        let Some(admission) = info.admission else {
            continue;
        };
        let act = history
            .acts
            .iter()
            .find(|m| m.id() == admission)
            .expect("a member's admission is one of the acts");
        let author = act.header().author;
        if let Some(cut) = membership.trusted_until(&author) {
            prop_assert!(
                act.header().seq <= cut,
                "{member:?} is in by an act signed after its author's cut-off"
            );
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("SANGAM_ADVERSARY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

/// The same histories on every run (CI never fails by chance), unless `SANGAM_ADVERSARY_RANDOM`
/// asks for new ones to explore.
fn seed() -> RngSeed {
    if std::env::var_os("SANGAM_ADVERSARY_RANDOM").is_some() {
        RngSeed::Random
    } else {
        RngSeed::Fixed(27)
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(), rng_seed: seed(), ..Config::default() })]

    #[test]
    fn no_seized_key_outweighs_the_honest_stewards(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// Histories the issue named, replayed by seed-free construction so they never depend on what
/// the dice happen to pick: a lone steward's vote at its own cut-off, and two early stewards
/// against a council.
#[test]
fn the_named_cases_are_among_what_the_model_checks() {
    // Case 1: a steward alone, cut-off just after its own admission.
    let mut dice = Dice(1);
    let mut history = History::honest(&mut dice);
    let first_admission = history.acts[0].clone();
    let lone = STEWARDS
        .into_iter()
        .find(|n| history.honest.role_of(&key(*n).author()) == Some(Role::Steward))
        .unwrap();
    history.seized = BTreeSet::from([lone]);
    history.vote(lone, FOUNDER, THIEFS_SUCCESSOR, Some(&first_admission));
    let membership = history.settle(&history.acts);
    assert_eq!(membership.founder(), key(FOUNDER).author());
    // Case 7: two competing groups — the spec's order (highest cut-off first) is tested in
    // replacement.rs; here every seed of the model also shuffles them.
    for seed in 0..64 {
        if let Err(error) = check(seed) {
            panic!("seed {seed}: {error}");
        }
    }
}

/// Prints one history, to read what the model found:
/// `SEED=n cargo test -p sangam-protocol --test adversary print_history -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_history() {
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let mut dice = Dice(seed);
    let mut history = History::honest(&mut dice);
    history.seize(&mut dice);
    println!("seized {:?} council {:?}", history.seized, history.council);
    for m in &history.acts {
        let who = (1..=30u8)
            .find(|n| key(*n).author() == m.header().author)
            .unwrap();
        println!("{who} seq {} {:?}", m.header().seq, m.body().unwrap());
    }
    let attacked = history.settle(&history.acts);
    println!(
        "founder {:?} council {:?}",
        attacked.founder(),
        attacked.council()
    );
    let before = history.acts.len();
    let acting = history.repair();
    println!("acting {acting:?}");
    for m in &history.acts[before..] {
        let who = (1..=30u8)
            .find(|n| key(*n).author() == m.header().author)
            .unwrap();
        println!("{who} seq {} {:?}", m.header().seq, m.body().unwrap());
    }
    let repaired = history.settle(&history.acts);
    println!(
        "founder {:?} = key1? {}",
        repaired.founder(),
        repaired.founder() == key(1).author()
    );
}
