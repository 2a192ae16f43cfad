//! Every size and time bound of the protocol, in one place.

/// Largest encoded message (header + signature + body, with framing), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// How far in the future a timestamp may be before the message is rejected (10 minutes).
pub const MAX_FUTURE_SKEW_MS: u64 = 10 * 60 * 1000;

/// Names: a collective, a member, a network (characters).
pub const MAX_NAME: usize = 80;
/// State, district, region, language (characters).
pub const MAX_PLACE: usize = 80;
/// Titles and request topics (characters).
pub const MAX_TITLE: usize = 160;
/// Long text: an announcement's body, a request's description, an offer (characters).
pub const MAX_TEXT: usize = 4000;
/// Short notes: a close note, a revocation reason (characters).
pub const MAX_NOTE: usize = 1000;
/// A link (characters).
pub const MAX_LINK: usize = 500;
/// One tag, focus area or language entry (characters).
pub const MAX_TAG: usize = 40;
/// How many tags, focus areas or languages a list may hold.
pub const MAX_TAGS: usize = 16;

/// Fewest keys on a recovery council: no single key ever replaces a founder.
pub const MIN_COUNCIL: usize = 2;
/// Most keys on a recovery council.
pub const MAX_COUNCIL: usize = 9;

/// Longest chain of admissions an admission proof may carry.
pub const MAX_PROOF_ADMITS: usize = 8;

/// Most authors a version vector may list.
pub const MAX_VECTOR_AUTHORS: usize = 100_000;
/// Most messages one sync batch may carry.
pub const MAX_BATCH_MESSAGES: usize = 512;
/// Most message bytes one sync batch may carry (the last message may cross it).
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Largest encoded sync request or response accepted, in bytes.
pub const MAX_SYNC_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// Sync requests a node answers from one peer in a burst (a catch-up of 16,000 messages).
pub const SYNC_REQUEST_BURST: u32 = 32;
/// Sync requests a node answers from one peer per minute after a burst: at most about 1 MiB a
/// second of answers to a member that keeps asking.
pub const SYNC_REQUESTS_PER_MINUTE: u32 = 60;

/// Live messages an author may send in a burst before the rate limit applies.
pub const RATE_BURST: u32 = 60;
/// Live messages an author may send per minute after a burst.
pub const RATE_PER_MINUTE: u32 = 30;
/// Most authors the rate limiter tracks at once.
pub const RATE_TRACKED_AUTHORS: usize = 10_000;
