//! A contribution's file: sent with `submitContribution` or `acceptLateContribution` as a
//! GraphQL multipart upload (the `file` argument), examined by the domain
//! ([`cpts_domain::files::examine`]: kind read from the bytes, size), kept by the ledger sealed
//! under its author's key before the command records its hash, size and kind; served back by
//! `GET /contributions/{id}/file` ([`crate::server`]).

use std::io::Read;

use async_graphql::{Context, Result, Upload};
use cpts_domain::access::{authorize, Caller};
use cpts_domain::command::AddressedCommand;
use cpts_domain::consultation::{Author, ConsultationCommand};
use cpts_domain::files::{examine, MAX_FILE_BYTES};
use cpts_domain::DomainError;

use crate::errors::{from_access, from_ledger};
use crate::port::LedgerError;
use crate::types::{caller, ledger};

/// Attaches an uploaded file to a contribution's command: checks that the caller may send the
/// command and that the consultation is of their CPTS, examines the file, has the ledger keep
/// it, and puts its hash, size and kind (and its name, when the input gave none) in the
/// command. Nothing is kept for a command the caller may not send or a file the domain refuses.
pub(crate) async fn attach(
    ctx: &Context<'_>,
    command: &mut AddressedCommand,
    upload: Option<Upload>,
) -> Result<()> {
    let Some(upload) = upload else {
        return Ok(());
    };
    let caller = caller(ctx);
    authorize(&caller, command).map_err(|e| from_access(&e))?;
    let AddressedCommand::Consultation { id, command } = command else {
        return Ok(());
    };
    let (author, attachment, file) = match command {
        ConsultationCommand::Submit {
            author,
            attachment,
            file,
            ..
        }
        | ConsultationCommand::AcceptLateContribution {
            author,
            attachment,
            file,
            ..
        } => (author.clone(), attachment, file),
        _ => return Ok(()),
    };
    if let Caller::Principal(principal) = &caller {
        crate::guard::record_in_scope(ctx, principal, "consultation", id.0).await?;
    }
    let refused = |e: DomainError| from_ledger(LedgerError::Domain(e));
    let value = upload.value(ctx)?;
    let name = value.filename.clone();
    let size = value.size().unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(refused(DomainError::AttachmentTooLarge {
            size,
            most: MAX_FILE_BYTES,
        }));
    }
    let mut bytes = Vec::new();
    value
        .into_read()
        .read_to_end(&mut bytes)
        .map_err(|_| crate::errors::internal())?;
    let examined = examine(&name, &bytes).map_err(refused)?;
    let member = match author {
        Author::Member { member_id } => Some(member_id),
        Author::Anonymous { .. } => None,
    };
    ledger(ctx)?
        .keep_file(*id, member, &examined, &bytes)
        .await
        .map_err(from_ledger)?;
    if attachment.as_deref().is_none_or(|a| a.trim().is_empty()) {
        *attachment = Some(name);
    }
    *file = Some(examined);
    Ok(())
}

/// The `Content-Disposition` of a download: always an attachment, under its name (an ASCII
/// fallback, and the name itself in UTF-8 as RFC 6266 and 8187 say).
pub(crate) fn attachment_disposition(name: &str) -> String {
    let name = if name.trim().is_empty() {
        "piece-jointe"
    } else {
        name
    };
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_an_attachment_under_its_name_whatever_the_name_holds() {
        assert_eq!(
            attachment_disposition("Enquête \"Sète\".pdf"),
            "attachment; filename=\"Enqu_te__S_te_.pdf\"; \
             filename*=UTF-8''Enqu%C3%AAte%20%22S%C3%A8te%22.pdf"
        );
        assert!(attachment_disposition("a\r\nSet-Cookie: x")
            .starts_with("attachment; filename=\"a__Set-Cookie__x\""));
    }
}
