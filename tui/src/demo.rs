//! The local demo mesh: real nodes on loopback, each with its own data folder in a temporary
//! folder, a founded network with every collective admitted, and a stream of sample posts in
//! English, Hindi and Bengali. Everything is removed when the demo stops.

mod audits;

use std::time::Duration;

use anyhow::{Context, Result};
use sangam_node::client::Client;
use sangam_node::clock::now_ms;
use sangam_node::daemon::{self, DaemonConfig, RunningNode};
use sangam_node::datadir::{DataDir, Settings};
use sangam_node::setup;
use sangam_protocol::kinds::{Announcement, MentoringRequest, Offer, Profile, Resource, Urgency};
use sangam_protocol::{Body, MessageId, Role};
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// A demo collective: name, state, district, languages, role.
struct Collective {
    name: &'static str,
    state: &'static str,
    district: &'static str,
    languages: &'static [&'static str],
    focus: &'static [&'static str],
    role: Role,
}

const COLLECTIVES: [Collective; 5] = [
    Collective {
        name: "Utthan",
        state: "West Bengal",
        district: "South 24 Parganas",
        languages: &["Bengali", "Hindi"],
        focus: &["victim_compensation", "livelihoods"],
        role: Role::Steward,
    },
    Collective {
        name: "Bihar Survivors' Forum",
        state: "Bihar",
        district: "Patna",
        languages: &["Hindi", "Bhojpuri"],
        focus: &["legal_aid"],
        role: Role::Member,
    },
    Collective {
        name: "Maitri Sangathan",
        state: "Maharashtra",
        district: "Pune",
        languages: &["Marathi", "Hindi"],
        focus: &["leadership_training"],
        role: Role::Member,
    },
    Collective {
        name: "Vimukti",
        state: "Andhra Pradesh",
        district: "Anantapur",
        languages: &["Telugu", "English"],
        focus: &["trauma_support", "livelihoods"],
        role: Role::Member,
    },
    Collective {
        name: "National Forum",
        state: "Delhi",
        district: "New Delhi",
        languages: &["Hindi", "English"],
        focus: &[],
        role: Role::Observer,
    },
];

/// A running demo.
pub struct Demo {
    _temp: TempDir,
    nodes: Vec<RunningNode>,
    poster: JoinHandle<()>,
    /// The data folder of the collective the app attaches to.
    pub attach: DataDir,
}

impl Demo {
    /// Where the demo writes its logs.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.attach.root().join("sangam-tui.log")
    }

    /// Stops every node; the temporary folder with all their data goes with the demo.
    pub async fn stop(self) {
        self.poster.abort();
        for node in self.nodes {
            let _ = node.stop().await;
        }
    }
}

/// Sets up and starts the demo mesh. `pace` is the pause between sample posts.
pub async fn start(pace: Duration) -> Result<Demo> {
    let temp = tempfile::Builder::new()
        .prefix("sangam-demo-")
        .tempdir()
        .context("no temporary folder")?;
    let mut dirs = Vec::new();
    for (i, collective) in COLLECTIVES.iter().enumerate() {
        let dir = DataDir::open(&temp.path().join(format!("node{i}")))?;
        dir.initialise(
            &Settings {
                name: collective.name.into(),
                region: collective.state.into(),
                fresh_key: true,
                mdns: false,
                port: None,
                ..Settings::default()
            },
            None,
        )?;
        dirs.push(dir);
    }
    // Found the network and admit everyone, exactly as `sangam network create`, `admit` and
    // `join` do (the founder's node is not running yet, so its folder answers the admissions).
    let now = now_ms();
    setup::found(&dirs[0], "Sangam demo", now)?;
    {
        let mut founder = Client::open(&dirs[0]).await?;
        for (dir, collective) in dirs.iter().zip(&COLLECTIVES).skip(1) {
            let member = dir.load_identity()?.author();
            let invite = founder
                .admit(member, collective.name.into(), collective.role)
                .await?;
            setup::join(dir, &invite, now)?;
        }
    }
    let mut nodes = Vec::new();
    let mut founder_addr = Vec::new();
    for dir in &dirs {
        let config = DaemonConfig {
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse()?],
            bootstrap: founder_addr.clone(),
            mdns: false,
            sync_interval: Duration::from_secs(10),
            ..DaemonConfig::default()
        };
        let mut node = daemon::start(dir.clone(), config).await?;
        if founder_addr.is_empty() {
            founder_addr = node.listen_addrs().await.into_iter().take(1).collect();
        }
        nodes.push(node);
    }
    let sockets: Vec<_> = dirs.iter().map(DataDir::socket_path).collect();
    for (socket, collective) in sockets.iter().zip(&COLLECTIVES) {
        let profile = Body::Profile(Profile {
            name: collective.name.into(),
            state: collective.state.into(),
            district: collective.district.into(),
            focus_areas: collective.focus.iter().map(|s| s.to_string()).collect(),
            languages: collective.languages.iter().map(|s| s.to_string()).collect(),
            about: format!("A survivor-led collective in {}.", collective.state),
        });
        post(socket, profile).await;
    }
    audits::post_samples(&sockets).await;
    let poster = tokio::spawn(keep_posting(sockets, pace));
    Ok(Demo {
        _temp: temp,
        nodes,
        poster,
        attach: dirs[1].clone(),
    })
}

async fn post(socket: &std::path::Path, body: Body) -> Option<MessageId> {
    let mut client = Client::connect(socket).await.ok()?;
    match client.post(body).await {
        Ok(id) => Some(id),
        Err(error) => {
            tracing::warn!("demo post failed: {error}");
            None
        }
    }
}

/// Seals an offer on `request` for the collective that asked.
async fn sealed_offer(socket: &std::path::Path, request: MessageId, text: &str) {
    let Ok(mut client) = Client::connect(socket).await else {
        return;
    };
    let offer = Body::Offer(Offer {
        request,
        body: text.into(),
    });
    let sealed = match client.show(request).await {
        Ok(asked) => client.seal(offer, vec![asked.author]).await,
        Err(error) => Err(error),
    };
    if let Err(error) = sealed {
        tracing::warn!("demo sealed offer failed: {error}");
    }
}

fn announcement(title: &str, body: &str, tags: &[&str]) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        expires_at: None,
    })
}

fn request(
    topic: &str,
    title: &str,
    description: &str,
    region: &str,
    language: &str,
    urgency: Urgency,
) -> Body {
    Body::MentoringRequest(MentoringRequest {
        topic: topic.into(),
        title: title.into(),
        description: description.into(),
        region: region.into(),
        language: language.into(),
        urgency,
        expires_at: None,
    })
}

fn resource(title: &str, description: &str, tags: &[&str]) -> Body {
    Body::Resource(Resource {
        title: title.into(),
        description: description.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        link: None,
        file_hash: None,
    })
}

/// One step of the sample script: who posts what. Offers answer the latest request.
enum Step {
    Post(usize, Body),
    OfferOnLatest(usize, &'static str),
    /// An offer only the collective that asked (and the one offering) can read.
    SealedOfferOnLatest(usize, &'static str),
}

fn script() -> Vec<Step> {
    use Step::*;
    vec![
        Post(
            0,
            announcement(
                "কর্মশালা: ক্ষতিপূরণের আবেদন",
                "শনিবার সকাল ১০টা, ডায়মন্ড হারবার। সব সংগঠনকে স্বাগত।",
                &["workshop", "legal"],
            ),
        ),
        Post(
            1,
            request(
                "legal_aid",
                "मुआवज़ा आवेदन एक साल से अटका है",
                "DLSA से जवाब नहीं आया। किसी ने ऐसा मामला आगे बढ़ाया हो तो मार्गदर्शन चाहिए।",
                "Bihar",
                "Hindi",
                Urgency::High,
            ),
        ),
        OfferOnLatest(
            0,
            "We pushed three such cases through the DLSA in 2025 — call our legal volunteer.",
        ),
        Post(
            2,
            resource(
                "Victim compensation scheme: state amounts",
                "Table of compensation amounts and forms under each state's scheme.",
                &["legal", "compensation"],
            ),
        ),
        Post(
            3,
            announcement(
                "Livelihood fair in Anantapur",
                "Stalls for survivor-run enterprises; apply by the 20th.",
                &["livelihoods"],
            ),
        ),
        Post(
            2,
            request(
                "leadership_training",
                "Trainers for a new leaders' circle",
                "Looking for two experienced survivor leaders to co-facilitate a 3-day training.",
                "Maharashtra",
                "Marathi",
                Urgency::Normal,
            ),
        ),
        OfferOnLatest(3, "Two of our leaders can come for the training in March."),
        Post(
            0,
            resource(
                "জীবিকা প্রকল্পের তালিকা",
                "রাজ্য সরকারের স্বনির্ভর প্রকল্প ও যোগাযোগ।",
                &["livelihoods", "schemes"],
            ),
        ),
        Post(
            1,
            announcement(
                "पटना हाई कोर्ट में जीत",
                "तस्करी पीड़िता को पूरा मुआवज़ा देने का आदेश।",
                &["legal", "win"],
            ),
        ),
        Post(
            3,
            request(
                "trauma_support",
                "Counsellors who speak Telugu",
                "Need referrals for trauma counselling in Telugu for two members.",
                "Andhra Pradesh",
                "Telugu",
                Urgency::High,
            ),
        ),
        SealedOfferOnLatest(
            2,
            "Our counsellor Lakshmi visits Anantapur monthly: call her on 94400 12345.",
        ),
        Post(
            2,
            announcement(
                "Campaign: safe migration week",
                "Street plays and helpline posters in five districts.",
                &["campaign"],
            ),
        ),
        Post(
            0,
            request(
                "livelihoods",
                "ক্ষুদ্র ব্যবসার জন্য প্রশিক্ষণ",
                "সেলাই ইউনিট চালানোর হিসাবরক্ষণ শিখতে সাহায্য চাই।",
                "West Bengal",
                "Bengali",
                Urgency::Low,
            ),
        ),
        OfferOnLatest(1, "हमारी सदस्य हिसाब-किताब का प्रशिक्षण ऑनलाइन दे सकती हैं।"),
        SealedOfferOnLatest(
            1,
            "दीदी सुनीता से 98350 67890 पर बात करें, वे पटना में हर शनिवार मिलती हैं।",
        ),
    ]
}

async fn keep_posting(sockets: Vec<std::path::PathBuf>, pace: Duration) {
    let mut latest_request: Option<MessageId> = None;
    let mut round = 0;
    loop {
        for step in script() {
            tokio::time::sleep(pace).await;
            match step {
                Step::Post(node, body) => {
                    let is_request = matches!(body, Body::MentoringRequest(_));
                    let body = if round == 0 {
                        body
                    } else {
                        renumbered(body, round)
                    };
                    if let Some(id) = post(&sockets[node], body).await
                        && is_request
                    {
                        latest_request = Some(id);
                    }
                }
                Step::SealedOfferOnLatest(node, text) => {
                    if let Some(request) = latest_request {
                        sealed_offer(&sockets[node], request, text).await;
                    }
                }
                Step::OfferOnLatest(node, text) => {
                    if let Some(request) = latest_request {
                        post(
                            &sockets[node],
                            Body::Offer(Offer {
                                request,
                                body: text.into(),
                            }),
                        )
                        .await;
                    }
                }
            }
        }
        round += 1;
    }
}

/// Later rounds repeat the script with a marker, so the feed keeps moving.
fn renumbered(body: Body, round: u32) -> Body {
    match body {
        Body::Announcement(mut a) => {
            a.title = format!("{} ({})", a.title, round + 1);
            Body::Announcement(a)
        }
        Body::MentoringRequest(mut r) => {
            r.title = format!("{} ({})", r.title, round + 1);
            Body::MentoringRequest(r)
        }
        other => other,
    }
}
