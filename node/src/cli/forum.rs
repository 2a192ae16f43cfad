//! The forum's commands: the feed a page at a time, the whole history exported, score cards,
//! bundles for the road.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use sangam_protocol::api::MAX_FEED_LIMIT;
use sangam_protocol::audit::Day;
use sangam_protocol::scorecard::ScorecardFilter;
use sangam_protocol::{AuthorId, Kind};

use super::args::{BundleAction, moment};
use super::post::office_type_named;
use super::print::ago;
use super::words::feed_line;
use sangam_node::client::{BundleRead, Client, FeedQuery};
use sangam_node::report;

/// Prints up to `limit` items from `query`, asking the node a page at a time, and says how to
/// read on when more are held.
pub(super) async fn feed(
    client: &mut Client,
    mut query: FeedQuery,
    limit: usize,
    json: bool,
) -> Result<()> {
    let forward = query.after.is_some();
    let mut items = Vec::new();
    let mut more = false;
    while items.len() < limit {
        query.limit = Some((limit - items.len()).min(MAX_FEED_LIMIT));
        let page = client.feed_page(query.clone()).await?;
        let last = page.items.last().map(|item| item.cursor());
        items.extend(page.items);
        more = page.more;
        match last {
            Some(cursor) if more => {
                if forward {
                    query.after = Some(cursor);
                } else {
                    query.before = Some(cursor);
                }
            }
            _ => break,
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else {
        items
            .iter()
            .for_each(|item| println!("{}", feed_line(item)));
    }
    if more && let Some(last) = items.last() {
        let (flag, direction) = if forward {
            ("--after", "newer")
        } else {
            ("--before", "older")
        };
        eprintln!(
            "More {direction} messages are held than these {}. Next page: sangam feed {flag} {} \
             (or `sangam export FILE` for everything).",
            items.len(),
            last.cursor()
        );
    }
    Ok(())
}

/// Writes every message held (of `kind`, if given) to `file` as JSON Lines, oldest first.
pub(super) async fn export(client: &mut Client, kind: Option<Kind>, file: &Path) -> Result<()> {
    let to_stdout = file == Path::new("-");
    let mut out: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        let created = std::fs::File::create(file)
            .with_context(|| format!("could not write {}", file.display()))?;
        Box::new(std::io::BufWriter::new(created))
    };
    // From the oldest: "after" the beginning of time.
    let mut query = FeedQuery {
        kind,
        limit: Some(MAX_FEED_LIMIT),
        after: Some(format!("0.{}", sangam_protocol::MessageId([0; 32]))),
        ..FeedQuery::default()
    };
    let mut written = 0u64;
    loop {
        let page = client.feed_page(query.clone()).await?;
        for item in &page.items {
            serde_json::to_writer(&mut out, item)?;
            out.write_all(b"\n")?;
            written += 1;
        }
        match page.items.last() {
            Some(last) if page.more => query.after = Some(last.cursor()),
            _ => break,
        }
    }
    out.flush()?;
    drop(out);
    if !to_stdout {
        println!("Wrote {written} message(s) to {}.", file.display());
    }
    Ok(())
}

/// A score card's filter from the command line's words.
pub(super) fn filter(
    state: Option<String>,
    district: Option<String>,
    office_type: Option<String>,
    since: Option<String>,
) -> Result<ScorecardFilter> {
    let office_type = office_type
        .map(|name| office_type_named(&name))
        .transpose()?;
    if let Some(day) = &since {
        Day::parse(day).map_err(|_| anyhow!("`{day}` is not a day; write it like 2026-04-01"))?;
    }
    Ok(ScorecardFilter {
        state,
        district,
        office_type,
        since,
    })
}

/// How a score card is printed.
pub(super) enum Format {
    /// For people at the terminal.
    Text,
    /// JSON, identical on every node holding the same audits.
    Json,
    /// CSV, one row per office.
    Csv,
    /// A Markdown report.
    Report,
}

/// Prints the score card `filter` covers.
pub(super) async fn scorecard(
    client: &mut Client,
    filter: ScorecardFilter,
    format: Format,
) -> Result<()> {
    let card = client.scorecard(filter).await?;
    match format {
        Format::Text => print!("{}", report::text(&card)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&card)?),
        Format::Csv => print!("{}", report::csv(&card)?),
        Format::Report => {
            let status = client.status().await?;
            let network = status.network_name.unwrap_or_else(|| "Sangam".into());
            let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .chars()
                .take(10)
                .collect::<String>();
            print!("{}", report::markdown(&card, &network, &today));
        }
    }
    Ok(())
}

/// The members `names` (names or ids) name, each found or a sentence saying who is not.
pub(super) async fn members_named(client: &mut Client, names: &[String]) -> Result<Vec<AuthorId>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let members = client.members().await?;
    names
        .iter()
        .map(|wanted| {
            members
                .iter()
                .find(|m| {
                    m.id.to_string() == *wanted || m.name.to_lowercase() == wanted.to_lowercase()
                })
                .map(|m| m.id)
                .ok_or_else(|| {
                    anyhow!("no member is called `{wanted}`; `sangam members` lists them")
                })
        })
        .collect()
}

/// `sangam bundle export|import`.
pub(super) async fn bundle(client: &mut Client, action: BundleAction) -> Result<()> {
    match action {
        BundleAction::Export {
            file,
            since,
            for_collective,
            plain,
        } => {
            if for_collective.is_empty() && !plain {
                return Err(anyhow!(
                    "name who the bundle is for with --for COLLECTIVE so only they can read it, \
                     or add --plain to write it unsealed (anyone who finds it can read it)"
                ));
            }
            let for_members = members_named(client, &for_collective).await?;
            let path = std::path::absolute(&file).with_context(|| {
                format!("{} is not a place a file can be written", file.display())
            })?;
            let (path, since) = (path.display().to_string(), moment(&since)?);
            if plain {
                eprintln!(
                    "This bundle is not sealed: whoever finds the stick can read every message \
                     in it. Carry it yourself, and delete it once it has been read in."
                );
            }
            let written = client
                .export_bundle(path.clone(), since, for_members, !plain)
                .await?;
            let (messages, bytes, sealed_for) =
                (written.messages, written.bytes, written.sealed_for);
            let sealed = if sealed_for.is_empty() {
                String::new()
            } else {
                format!(
                    ", sealed: only {} and you can read it",
                    sealed_for.join(", ")
                )
            };
            println!(
                "Wrote {messages} message(s) ({} KB) to {path}{sealed}.",
                bytes.div_ceil(1024),
            );
        }
        BundleAction::Import { file } => {
            let path = std::path::absolute(&file)
                .with_context(|| format!("{} cannot be found", file.display()))?;
            let BundleRead {
                writer,
                writer_name,
                written_at,
                messages,
                stored,
                already_held,
                refused,
                sealed,
            } = client.import_bundle(path.display().to_string()).await?;
            let who = writer_name.unwrap_or_else(|| writer.short());
            let sealed = if sealed { "sealed " } else { "" };
            println!(
                "Read {messages} message(s) from {who}'s {sealed}bundle written {}: {stored} \
                 new, {already_held} already here, {} refused.",
                ago(written_at),
                refused.values().sum::<u64>()
            );
            for (reason, count) in refused {
                println!("  refused {count}: {}", reason.replace('_', " "));
            }
        }
    }
    Ok(())
}
