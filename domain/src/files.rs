//! The files a contribution may carry (a survey's results, a table of figures, a photo of a
//! paper form): which kinds, how large, and what the log records of them. The file itself is
//! kept beside the log, sealed under its author's key like their words, and erased with them;
//! the log records its SHA-256, size and kind ([`AttachedFile`]), so that the file shown later
//! can be checked against what was recorded.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DomainError;

/// The largest file a contribution carries: 10 MiB.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// A file attached to a contribution, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedFile {
    /// The SHA-256 of its bytes, in lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its kind, as read from its bytes (never from its name): one of [`ACCEPTED`].
    pub media_type: String,
}

/// The kinds of file a contribution may carry, by media type, with the catalogue key of their
/// name for people. Documents and tables people make, and pictures of paper; nothing that runs.
pub const ACCEPTED: &[(&str, &str)] = &[
    ("application/pdf", "file-kind-pdf"),
    ("image/png", "file-kind-png"),
    ("image/jpeg", "file-kind-jpeg"),
    ("application/vnd.oasis.opendocument.text", "file-kind-odt"),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        "file-kind-ods",
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "file-kind-docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "file-kind-xlsx",
    ),
    ("text/csv", "file-kind-csv"),
    ("text/plain", "file-kind-text"),
];

/// The catalogue key naming a kind of file, if it is accepted.
pub fn kind_key(media_type: &str) -> Option<&'static str> {
    ACCEPTED
        .iter()
        .find(|(m, _)| *m == media_type)
        .map(|(_, key)| *key)
}

/// Examines a file sent with a contribution: its kind is read from its bytes (a name says
/// nothing: `rapport.pdf` may be a program), text only when it is UTF-8 without control
/// characters (CSV when its name says so). Refuses an empty file, one over [`MAX_FILE_BYTES`]
/// and one of a kind not [`ACCEPTED`].
pub fn examine(name: &str, bytes: &[u8]) -> Result<AttachedFile, DomainError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size == 0 {
        return Err(DomainError::EmptyAttachment);
    }
    if size > MAX_FILE_BYTES {
        return Err(DomainError::AttachmentTooLarge {
            size,
            most: MAX_FILE_BYTES,
        });
    }
    let media_type = match infer::get(bytes) {
        Some(kind) => kind.mime_type().to_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(text)
                if !text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
            {
                let csv = name.to_lowercase().ends_with(".csv");
                if csv { "text/csv" } else { "text/plain" }.to_owned()
            }
            _ => "application/octet-stream".to_owned(),
        },
    };
    if kind_key(&media_type).is_none() {
        return Err(DomainError::AttachmentKindRefused);
    }
    Ok(AttachedFile {
        sha256: sha256_hex(bytes),
        size,
        media_type,
    })
}

/// The SHA-256 of bytes, in lowercase hex: how the log names a file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a file a command names: what [`examine`] gives, and nothing else.
pub fn check(file: &AttachedFile) -> Result<(), DomainError> {
    let hex = file.sha256.len() == 64
        && file
            .sha256
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    if !hex || file.size == 0 {
        return Err(DomainError::EmptyAttachment);
    }
    if file.size > MAX_FILE_BYTES {
        return Err(DomainError::AttachmentTooLarge {
            size: file.size,
            most: MAX_FILE_BYTES,
        });
    }
    if kind_key(&file.media_type).is_none() {
        return Err(DomainError::AttachmentKindRefused);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

    #[test]
    fn a_file_is_known_by_its_bytes_not_its_name() {
        let pdf = examine("enquete.txt", PDF).expect("a PDF");
        assert_eq!(pdf.media_type, "application/pdf");
        assert_eq!(pdf.size, PDF.len() as u64);
        assert_eq!(pdf.sha256.len(), 64);
        assert_eq!(check(&pdf), Ok(()));
        let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
        assert_eq!(
            examine("rapport.pdf", program),
            Err(DomainError::AttachmentKindRefused)
        );
        let table =
            examine("chiffres.csv", "commune;patients\nSète;120\n".as_bytes()).expect("a CSV");
        assert_eq!(table.media_type, "text/csv");
        assert_eq!(
            examine("notes.txt", "Réunion du 3 mars".as_bytes())
                .expect("text")
                .media_type,
            "text/plain"
        );
    }

    #[test]
    fn an_empty_or_too_large_file_is_refused() {
        assert_eq!(examine("vide.pdf", b""), Err(DomainError::EmptyAttachment));
        let large = vec![b'a'; (MAX_FILE_BYTES + 1) as usize];
        assert_eq!(
            examine("gros.txt", &large),
            Err(DomainError::AttachmentTooLarge {
                size: MAX_FILE_BYTES + 1,
                most: MAX_FILE_BYTES
            })
        );
        let forged = AttachedFile {
            sha256: "not a hash".into(),
            size: 3,
            media_type: "application/pdf".into(),
        };
        assert_eq!(check(&forged), Err(DomainError::EmptyAttachment));
    }
}
