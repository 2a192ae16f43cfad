//! The bundle forms (Network tab): a file to write the messages another node lacks into, or a
//! bundle file to read in. They ask the node to do it rather than posting anything.

use sangam_protocol::api::Request;
use sangam_protocol::audit::Day;

use super::{Field, FormKind, field};

/// The fields of a bundle form.
pub(super) fn fields(kind: FormKind) -> Vec<Field> {
    match kind {
        FormKind::BundleExport => vec![
            field(
                "File",
                "file",
                true,
                "where to write it, e.g. /media/usb/for-the-district.bundle",
            ),
            field(
                "Since",
                "since",
                false,
                "a day like 2026-11-01, or empty for everything",
            ),
        ],
        _ => vec![field(
            "File",
            "file",
            true,
            "the bundle, e.g. /media/usb/for-the-district.bundle",
        )],
    }
}

/// The request the typed values make, or what is wrong with them.
pub(super) fn request(kind: FormKind, value: impl Fn(usize) -> String) -> Result<Request, String> {
    let file = value(0);
    if file.is_empty() {
        return Err("File is needed.".into());
    }
    // The node reads and writes the file itself: it needs the whole path.
    let path = std::path::absolute(&file)
        .map_err(|_| "File: type the whole path, like /media/usb/sangam.bundle.".to_string())?
        .display()
        .to_string();
    match kind {
        FormKind::BundleExport => {
            let since = match value(1).as_str() {
                "" => None,
                day => Some(
                    Day::parse(day)
                        .map_err(|_| "Since: write the day like 2026-11-01.".to_string())?
                        .unix_ms(),
                ),
            };
            Ok(Request::ExportBundle {
                path,
                since,
                for_members: Vec::new(),
            })
        }
        _ => Ok(Request::ImportBundle { path }),
    }
}
